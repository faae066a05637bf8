"""python -m fmnist explain FILE...: inside the model for picture files, one line per file.

Each line names the predicted class, every layer (name, output shape, parameters), the 4×4 patches whose
occlusion lowers that class's probability most, and the nearest training images in the model's last
hidden layer. A file that cannot be read gets {"file", "error"}, and the exit code is then 1.
"""

from __future__ import annotations

import json

from fmnist.data import fashion_mnist

# How many occlusion patches and training neighbours a line lists.
TOP_PATCHES = 5
NEIGHBOURS = 5


def add_commands(commands) -> dict:
    """Add explain to the subparsers `commands`; return its handler by name."""
    explain = commands.add_parser(
        "explain",
        help="look inside the model for picture files",
        description="For each picture: the predicted class, every layer's name, output shape and parameters, "
        "the 4x4 patches whose occlusion lowers that class's probability most, and the nearest training images. Exit 1 if any file failed.",
    )
    explain.add_argument("--model", default="default", help="registry name or path to a .keras file (default: the shipped model)")
    explain.add_argument(
        "--neighbours", type=int, default=NEIGHBOURS, help=f"training neighbours per file (default: {NEIGHBOURS})"
    )
    explain.add_argument("--json", action="store_true", help="one JSON object per file")
    explain.add_argument("files", nargs="+", metavar="FILE")
    return {"explain": explain_command}


def record(model, picture: bytes, dataset, train_features, neighbours: int) -> dict:
    """The explanation of one picture file's bytes as a JSON-friendly dict (raises preprocess.ImageError)."""
    from fmnist.data import preprocess
    from fmnist.inside import embedding, explain

    image = preprocess.from_bytes(picture)
    result = explain.explain(model, image)
    query = embedding.features(model, image[None], "hidden")
    return {
        "class_id": result.class_id,
        "class_name": fashion_mnist.CLASS_NAMES[result.class_id],
        "probability": round(float(result.probabilities[result.class_id]), 6),
        "layers": [row.to_dict() for row in result.layers],
        "occlusion_top_patches": explain.top_patches(result.occlusion_drops, TOP_PATCHES),
        "neighbours": [int(i) for i in embedding.nearest(train_features, query, neighbours)[0]],
    }


def explain_command(args) -> int:
    """Explain each picture file; it names models and reads files with fmnist.cli.models's helpers, as predict does."""
    from fmnist import registry
    from fmnist.cli.models import fail, file_error, load_model_arg, read_file
    from fmnist.data import preprocess
    from fmnist.inside import embedding

    if not 1 <= args.neighbours <= 100:
        return fail("--neighbours must be from 1 to 100")
    try:
        model = load_model_arg(args.model)
    except registry.RegistryError as error:
        return fail(str(error))
    dataset = fashion_mnist.load()
    train_features = None
    failed = False
    for name in args.files:
        try:
            raw = read_file(name)
            if train_features is None:
                # Computed once per model and then read from the cache (settings.cache_dir()).
                train_features = embedding.training_features(model, dataset)
            line = {"file": name, **record(model, raw, dataset, train_features, args.neighbours)}
        except (OSError, preprocess.ImageError) as error:
            failed = True
            message = str(error) if isinstance(error, preprocess.ImageError) else file_error(name, error)
            print(json.dumps({"file": name, "error": message}, ensure_ascii=False) if args.json else f"{name}: error: {message}")
            continue
        if args.json:
            print(json.dumps(line, ensure_ascii=False))
        else:
            patches = ", ".join(f"({r}, {c}) {d:.2%}" for r, c, d in line["occlusion_top_patches"])
            print(f"{name}: {line['class_name']} ({fashion_mnist.CLASS_NAMES_ZH[line['class_id']]}) {line['probability']:.1%}")
            layers = ", ".join(f"{row['name']} {tuple(row['shape'])}" for row in line["layers"])
            print(f"  layers: {layers}")
            print(
                f"  occlusion: the 4x4 patches (row, col) whose covering lowers the probability most, and by how much: {patches}"
            )
            print(f"  nearest training images: {', '.join(map(str, line['neighbours']))}")
    return 1 if failed else 0
