"""Scale-out: three server processes on one PostgreSQL, one killed with SIGKILL mid-run.

Citizens write by Telegram and SMS to any server (a request the killed one did not answer is
delivered again to another, as the providers do); proactive messages and due reminders wait in
the outbox. Prints the traffic, the drain after the kill and the lost/doubled counts.

    .venv/bin/python bench/scale_out.py --telegram 60 --sms 30 --proactive 300
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.live_server import bench_database
from tests.scale_out import run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--telegram", type=int, default=48, help="citizens writing by Telegram")
    parser.add_argument("--sms", type=int, default=24, help="citizens writing by SMS")
    parser.add_argument("--proactive", type=int, default=240, help="messages queued beforehand")
    parser.add_argument("--reminders", type=int, default=40, help="bookings with a reminder due")
    args = parser.parse_args()
    with bench_database("postgresql") as url:
        figures = run(
            url,
            telegram_citizens=args.telegram,
            sms_citizens=args.sms,
            proactive=args.proactive,
            reminders=args.reminders,
            drain_timeout=120,
        )
    print("\n".join(figures.lines()))


if __name__ == "__main__":
    main()
