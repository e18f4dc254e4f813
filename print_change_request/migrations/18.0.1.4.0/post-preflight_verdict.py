"""After the update to 18.0.1.4.0: one preflight verdict everywhere (lib/preflight.py,
``verdict``).  A job whose files have only ``info`` findings (RGB colors) was "Preflight
OK" while the customer read the finding on their page; it is "Preflight warnings" now, as a
check made today says, and so is its order (it was OK: every job was).  Nothing is read
again; done in SQL, so that locked (dispatched, finalized) orders follow too."""

import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE print_job job
           SET preflight_state = 'warning'
         WHERE job.preflight_state = 'ok'
           AND EXISTS (SELECT 1 FROM print_preflight_finding finding
                        WHERE finding.job_id = job.id)
        """
    )
    _logger.info("print.job: %s jobs with findings now show Preflight warnings", cr.rowcount)
    cr.execute(
        """
        UPDATE print_order o
           SET preflight_state = 'warning'
         WHERE o.preflight_state = 'ok'
           AND EXISTS (SELECT 1 FROM print_job job
                        WHERE job.order_id = o.id AND job.preflight_state = 'warning')
        """
    )
