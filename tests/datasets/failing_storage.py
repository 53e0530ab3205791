"""A real file-system storage that fails on its Nth save, as a full disk or a lost bucket does."""

from django.core.files.storage import FileSystemStorage


class FailingOnNthSaveStorage(FileSystemStorage):
    def __init__(self, *, fail_on_save: int, **options) -> None:
        super().__init__(**options)
        self.fail_on_save = fail_on_save
        self.saves = 0

    def _save(self, name, content):
        self.saves += 1
        if self.saves == self.fail_on_save:
            raise OSError(f"disk full (test storage, save {self.saves})")
        return super()._save(name, content)
