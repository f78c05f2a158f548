"""The one error users see when s2s cannot transform their code."""


class TransformError(Exception):
    """A construct s2s cannot differentiate, reported at transform time.

    The message names the file, the line, the source line and the construct, so the
    user can find it without reading a compiler traceback.
    """

    def __init__(self, message, filename=None, lineno=None, source_line=None, construct=None):
        self.filename = filename
        self.lineno = lineno
        self.source_line = source_line
        self.construct = construct
        where = ""
        if filename is not None:
            where = f"{filename}:{lineno}: " if lineno is not None else f"{filename}: "
        text = f"{where}{message}"
        if source_line:
            text += f"\n    {source_line.strip()}"
        super().__init__(text)
