import numpy as np
import pandas as pd
import pytest

from debias_estimators.datasets import group_labels, make_biased_faces


def test_group_labels_join_the_values_and_label_the_images_without_them():
    attributes = pd.DataFrame(
        {
            "skin_type": ["darker", None, "lighter", "darker"],
            "gender": ["female", None, "male", None],
            "hat": ["no", "yes", "no", "no"],
        }
    )
    labels = group_labels(attributes)
    assert labels.tolist() == ["darker/female", "non-face", "lighter/male", "non-face"]
    assert labels.dtype == object
    assert group_labels(attributes, ["hat"], missing="?").tolist() == ["no", "yes", "no", "no"]
    with pytest.raises(ValueError, match="no column 'age'"):
        group_labels(attributes, ["skin_type", "age"])
    with pytest.raises(TypeError, match="DataFrame"):
        group_labels(attributes.to_numpy())


def test_group_labels_of_the_benchmark_give_the_non_faces_a_group_of_their_own():
    data = make_biased_faces(n_faces=40, n_nonfaces=20, image_size=16, random_state=0)
    labels = group_labels(data.attributes)
    np.testing.assert_array_equal(labels == "non-face", data.target == 0)
    assert set(labels[data.target == 1]) <= {
        f"{skin}/{gender}" for skin in ("darker", "lighter") for gender in ("female", "male")
    }
