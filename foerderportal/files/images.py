"""JPEG and PNG attachments: fully decoded with Pillow to prove they are intact, pixel count capped."""

import io
import logging

from django.utils.translation import gettext

from .base import PNG, UploadRejected, reject

logger = logging.getLogger(__name__)

# Images are fully decoded to prove they are intact; cap the pixel count.
IMAGE_MAX_PIXELS = 50_000_000


def _damaged_image() -> UploadRejected:
    return reject(gettext("Das Bild ist beschädigt oder kann nicht gelesen werden."), "damaged_image")


def _image_too_large() -> UploadRejected:
    return reject(
        gettext("Das Bild hat eine zu hohe Auflösung. Erlaubt sind höchstens %(limit)s Megapixel.")
        % {"limit": IMAGE_MAX_PIXELS // 1_000_000},
        "image_too_large",
    )


def inspect_image(data: bytes, content_type: str) -> None:
    from PIL import Image

    expected = "PNG" if content_type == PNG else "JPEG"
    try:
        with Image.open(io.BytesIO(data), formats=[expected]) as image:
            image.verify()
        with Image.open(io.BytesIO(data), formats=[expected]) as image:
            width, height = image.size
            if width <= 0 or height <= 0:
                raise _damaged_image()
            if width * height > IMAGE_MAX_PIXELS:
                raise _image_too_large()
            if expected == "JPEG":
                # Decode at 1/8 scale: still reads the whole entropy-coded data, far less memory.
                image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
            image.load()
    except UploadRejected:
        raise
    except Image.DecompressionBombError:
        raise _image_too_large() from None
    except Exception as exc:  # Pillow raises many types (OSError, SyntaxError, ValueError, ...)
        logger.info("Image rejected as damaged: %r", exc)
        raise _damaged_image() from None
