"""python -m fmnist explain: one JSON line per file, errors per file and exit code 1, as predict does."""

import io
import json

import pytest
from PIL import Image

from fmnist import registry
from fmnist.cli import main
from fmnist.data import fashion_mnist, preprocess
from fmnist.inside import embedding, explain


def test_explain_json_lines_and_a_bad_file(tmp_path, capsys, dataset):
    picture = tmp_path / "boot.png"
    buffer = io.BytesIO()
    Image.fromarray(255 - dataset.test_images[0]).save(buffer, format="PNG")  # A dark boot on white, as a photo.
    picture.write_bytes(buffer.getvalue())
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a picture")
    assert main(["explain", str(picture), str(broken), "--json"]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert len(lines) == 2
    good, bad = lines
    assert set(good) >= {"file", "class_id", "class_name", "layers", "occlusion_top_patches", "neighbours"}
    model = registry.load("default")
    image = preprocess.from_bytes(picture.read_bytes())
    assert (
        good["class_id"] == int(explain.probabilities(model, image).argmax())
        and good["class_name"] == fashion_mnist.CLASS_NAMES[good["class_id"]]
    )
    assert [layer["name"] for layer in good["layers"]] == [layer.name for layer in model.layers] + ["softmax"]
    assert good["layers"][1] == {"name": "conv2d", "shape": [28, 28, 24], "params": 216}
    drops = [patch[2] for patch in good["occlusion_top_patches"]]
    assert len(drops) == 5 and drops == sorted(drops, reverse=True)
    assert good["neighbours"] == [int(i) for i in embedding.neighbours(model, image, 5, dataset=dataset)]
    assert bad["file"] == str(broken) and "not a picture" in bad["error"]


def test_explain_has_help(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["explain", "--help"])
    assert exit.value.code == 0
    assert "occlusion" in capsys.readouterr().out
