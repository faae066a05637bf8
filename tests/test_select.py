"""fmnist.data.fashion_mnist.select_indices and page_count: what the browse page's grid shows."""

import numpy as np
import pytest

from fmnist.data import fashion_mnist

LABELS = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 9], dtype=np.uint8)


def test_first_order_pages_through_everything():
    assert fashion_mnist.select_indices(LABELS, per_page=4).tolist() == [0, 1, 2, 3]
    assert fashion_mnist.select_indices(LABELS, page=2, per_page=4).tolist() == [8, 9]
    assert fashion_mnist.page_count(LABELS, per_page=4) == 3


def test_class_filter_keeps_dataset_order():
    assert fashion_mnist.select_indices(LABELS, classes=[2, 9]).tolist() == [2, 5, 8, 9]
    assert fashion_mnist.select_indices(LABELS, classes=[]).tolist() == list(range(10))  # No choice means every class.
    assert fashion_mnist.page_count(LABELS, classes=[0], per_page=2) == 2


def test_random_order_is_a_seeded_permutation_shared_by_all_pages():
    pages = [fashion_mnist.select_indices(LABELS, [0, 1], "random", seed=5, page=p, per_page=2) for p in range(3)]
    shown = np.concatenate(pages)
    assert sorted(shown.tolist()) == [0, 1, 3, 4, 6, 7]
    again = np.concatenate([fashion_mnist.select_indices(LABELS, [0, 1], "random", seed=5, page=p, per_page=2) for p in range(3)])
    assert shown.tolist() == again.tolist()
    other = np.concatenate([fashion_mnist.select_indices(LABELS, [0, 1], "random", seed=6, page=p, per_page=2) for p in range(3)])
    assert sorted(other.tolist()) == sorted(shown.tolist())


def test_out_of_range_pages_clamp_and_empty_selections_are_empty():
    assert fashion_mnist.select_indices(LABELS, page=99, per_page=4).tolist() == [8, 9]
    assert fashion_mnist.select_indices(LABELS, page=-1, per_page=4).tolist() == [0, 1, 2, 3]
    assert fashion_mnist.select_indices(LABELS, classes=[5]).tolist() == []
    assert fashion_mnist.page_count(LABELS, classes=[5]) == 1


def test_bad_arguments_raise_value_errors():
    with pytest.raises(ValueError, match="order"):
        fashion_mnist.select_indices(LABELS, order="sorted")
    with pytest.raises(ValueError, match="0 to 9"):
        fashion_mnist.select_indices(LABELS, classes=[10])
    with pytest.raises(ValueError, match="per_page"):
        fashion_mnist.page_count(LABELS, per_page=0)


def test_real_dataset_first_page_is_the_tutorial_grid(dataset):
    indices = fashion_mnist.select_indices(dataset.train_labels)
    assert indices.tolist() == list(range(25))
    bags = fashion_mnist.select_indices(dataset.test_labels, classes=[8], page=39)
    assert len(bags) == 25 and set(dataset.test_labels[bags]) == {8}
    assert fashion_mnist.page_count(dataset.test_labels, classes=[8]) == 40
