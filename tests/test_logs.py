import logging

from fmnist import logs


def test_configure_logs_tracebacks_once(capsys):
    logger = logs.configure("DEBUG")
    logs.configure("DEBUG")  # A second call adds no second handler.
    try:
        raise RuntimeError("disk on fire")
    except RuntimeError:
        logging.getLogger("fmnist.test").exception("Saving failed")
    err = capsys.readouterr().err
    assert err.count("Saving failed") == 1
    assert "Traceback (most recent call last)" in err and "RuntimeError: disk on fire" in err
    assert logger.level == logging.DEBUG
    logs.configure("WARNING")
    logging.getLogger("fmnist.test").info("quiet")
    assert "quiet" not in capsys.readouterr().err
