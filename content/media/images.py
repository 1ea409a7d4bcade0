"""Images are decoded and re-encoded with Pillow: proof they are images, and no metadata.

Re-encoding drops EXIF, XMP and comments (camera serial numbers, GPS positions, names)
and anything hidden after the image data (polyglot files). The colour profile stays.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import ExifTags, Image, ImageOps

#: Pillow format of each image type we accept.
FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
#: Most pixels (all frames together) we decode: a small file can unpack to gigabytes.
MAX_PIXELS = 40_000_000
#: Quality of lossy re-encoding (JPEG turned upright, lossy WebP).
LOSSY_QUALITY = 90


class UnreadableImage(ValueError):
    """The bytes look like an image type but do not decode as one."""


class ImageTooLarge(ValueError):
    """The image has more pixels than ``MAX_PIXELS``."""


@dataclass(frozen=True)
class CleanImage:
    """A re-encoded image and its size in pixels."""

    data: bytes
    width: int
    height: int


def clean_image(data: bytes, mimetype: str) -> CleanImage:
    """Decode the image and encode it again in the same format, without its metadata.

    :raise ImageTooLarge: when it has too many pixels.
    :raise UnreadableImage: when it does not decode.
    """
    try:
        # ``formats``: never let Pillow guess (some of its readers call external programs).
        with Image.open(io.BytesIO(data), formats=[FORMATS[mimetype]]) as image:
            if image.width * image.height * getattr(image, "n_frames", 1) > MAX_PIXELS:
                raise ImageTooLarge
            return _reencode(image, data)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge from exc
    except ImageTooLarge:
        raise
    except Exception as exc:  # Pillow reports broken input with many exception types
        raise UnreadableImage from exc


def _reencode(image: Image.Image, source: bytes) -> CleanImage:
    fmt = image.format
    params: dict = {}
    if icc_profile := image.info.get("icc_profile"):
        params["icc_profile"] = icc_profile
    if fmt in ("JPEG", "GIF"):
        params["comment"] = b""  # Pillow copies the source's comment unless told otherwise
    if fmt == "WEBP":
        # Lossless stays lossless (screenshots keep sharp text); lossy stays lossy.
        if _is_lossless_webp(source):
            params["lossless"] = True
        else:
            params["quality"] = LOSSY_QUALITY
    if getattr(image, "is_animated", False):
        params["save_all"] = True
        output = image
    elif image.getexif().get(ExifTags.Base.Orientation, 1) != 1:
        # The EXIF orientation goes with the metadata, so turn the pixels instead.
        output = ImageOps.exif_transpose(image)
        if fmt == "JPEG":
            params["quality"] = LOSSY_QUALITY
    else:
        output = image
        if fmt == "JPEG":
            # Same quantization tables and subsampling: as close to lossless as JPEG allows.
            params.update(quality="keep", subsampling="keep")
    buffer = io.BytesIO()
    output.save(buffer, format=fmt, **params)
    return CleanImage(buffer.getvalue(), output.width, output.height)


def _is_lossless_webp(data: bytes) -> bool:
    """Return whether a WebP's first frame is lossless (``VP8L``), reading its RIFF chunks."""
    position = 12
    while position + 8 <= len(data):
        fourcc = data[position : position + 4]
        if fourcc in (b"VP8L", b"VP8 "):
            return fourcc == b"VP8L"
        if fourcc == b"ANMF":  # an animation frame: 16 bytes of header, then its chunks
            position += 8 + 16
            continue
        size = int.from_bytes(data[position + 4 : position + 8], "little")
        position += 8 + size + (size & 1)
    return False
