"""What a refused upload or drawing says to a person, in English and Chinese (merged into pages/i18n).

fmnist.data.uploads, fmnist.data.preprocess and fmnist.data.drawing raise an `ImageError` that names one of these
keys (with the values its text needs); their English messages are these English texts, sometimes followed by a
detail for a developer. `pages.i18n.image_error` gives the text in the page's language.
"""

STRINGS = {
    "en": {
        "image_not_a_picture": "This file is not a picture we can read. Please upload a PNG, JPEG, GIF, BMP or WebP image.",
        "image_empty_file": "The file is empty. Please upload a PNG, JPEG, GIF, BMP or WebP image.",
        "image_too_large": "The file is {size} MB, over the {limit} MB limit. Please upload a smaller picture.",
        "image_damaged": (
            "This picture seems damaged or incomplete, so we cannot read it. Please upload the complete file again."
        ),
        "image_too_many_pixels": (
            "This picture has too many pixels: the limit is {jpeg} million for a JPEG photo ({progressive} million "
            "if progressive), {pixels} million for PNG, GIF and BMP, {webp} million for WebP. Please use a smaller one."
        ),
        "image_blank": (
            "We could not find anything in this picture: it looks blank. Please use one piece of clothing on a plain background."
        ),
        "drawing_empty": "Draw something first: the canvas is still empty.",
        "drawing_malformed": (
            "The drawing could not be read (the canvas sent something unexpected). Press Reset and draw again."
        ),
    },
    "zh": {
        "image_not_a_picture": "这个文件不是我们能读取的图片。请上传 PNG、JPEG、GIF、BMP 或 WebP 图片。",
        "image_empty_file": "这个文件是空的。请上传 PNG、JPEG、GIF、BMP 或 WebP 图片。",
        "image_too_large": "这个文件有 {size} MB，超过了 {limit} MB 的上限。请上传小一些的图片。",
        "image_damaged": "这张图片似乎已损坏或不完整，我们无法读取。请重新上传完整的文件。",
        "image_too_many_pixels": (
            "这张图片的像素太多：JPEG 照片的上限是 {jpeg} 百万（渐进式 JPEG 为 {progressive} 百万），"
            "PNG、GIF 和 BMP 为 {pixels} 百万，WebP 为 {webp} 百万。请换一张小一些的图片。"
        ),
        "image_blank": "我们在这张图片里找不到任何东西：它看起来是空白的。请使用纯色背景上的一件衣物。",
        "drawing_empty": "请先画点什么：画布还是空的。",
        "drawing_malformed": "无法读取这幅画（画布发来了意料之外的内容）。请按“清空画布”后重新画。",
    },
}
