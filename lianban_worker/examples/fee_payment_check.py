"""Example worker: the fee-payment check (topic `fee-payment-check`, the service task of
tests/fixtures/fee_payment_check.bpmn). It asks the payment platform whether the case's fee is paid:
paid → complete with `paid` and `amount`; unpaid → BPMN error FEE_UNPAID (the diagram's 催缴 step);
the platform unreachable → a failure, retried with back-off, an incident when retries run out.

The "payment platform" here is a JSON file {case number: amount paid} (LIANBAN_PAYMENTS_FILE), so the
example runs anywhere; a real worker calls the platform's API in `paid_amount`.

    python -m lianban_worker.examples.fee_payment_check --url http://127.0.0.1:8000 \\
        --user integration --password lianban-demo --payments payments.json
"""
from __future__ import annotations

import argparse
import json
import logging
import os
from pathlib import Path
from typing import Optional

from lianban_worker import BpmnError, Client, Worker

TOPIC = "fee-payment-check"


class PaymentPlatformDown(Exception):
    pass


def paid_amount(payments_file: Path, case_number: str) -> Optional[float]:
    """The amount paid for the case, None when unpaid; PaymentPlatformDown when it cannot be asked."""
    try:
        payments = json.loads(payments_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PaymentPlatformDown(f"payment platform unreachable: {exc}") from exc
    return payments.get(case_number)


def make_handler(payments_file: Path):
    def check(task):
        number = task.variables["case"]["number"]
        amount = paid_amount(payments_file, number)
        if amount is None:
            raise BpmnError("FEE_UNPAID", f"案件 {number} 未缴费", {"paid": False})
        return {"paid": True, "amount": amount}
    return check


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="integration")
    parser.add_argument("--password", default=os.environ.get("LIANBAN_PASSWORD", "lianban-demo"))
    parser.add_argument("--worker-id", default=f"fee-worker-{os.getpid()}")
    parser.add_argument("--payments", default=os.environ.get("LIANBAN_PAYMENTS_FILE", "payments.json"))
    parser.add_argument("--once", action="store_true", help="stop after the first empty fetch")
    parser.add_argument("--long-poll-ms", type=int, default=30_000,
                        help="how long the server holds a fetch while no task is waiting (0: no long polling)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    worker = Worker(Client(args.url, args.user, args.password), args.worker_id, lock_duration_ms=30_000,
                    long_poll_ms=args.long_poll_ms)
    worker.subscribe(TOPIC, make_handler(Path(args.payments)), variables=["case"])
    handled = worker.run(max_idle_polls=1 if args.once else None)
    logging.info("handled %d tasks", handled)


if __name__ == "__main__":
    main()
