"""One repository per capability; a Transaction (engine/store/uow.py) hands them out."""
