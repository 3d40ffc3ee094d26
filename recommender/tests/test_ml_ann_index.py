import numpy as np
import pytest

from recommender.ml.ann_index import (
    AnnConfig,
    build_ann_index,
    exact_top_k,
    load_ann_index,
    recall_at_k,
    save_ann_index,
)


def _clustered_vectors(count, dimension=32, clusters=40, seed=0):
    """Unit vectors around random centres, like item embeddings of groups."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dimension))
    vectors = centres[rng.integers(clusters, size=count)]
    vectors = vectors + 0.3 * rng.normal(size=(count, dimension))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def test_hnsw_recall_against_exact_search():
    vectors = _clustered_vectors(5000)
    ids = np.arange(1000, 6000, dtype=np.int64)
    ann = build_ann_index(vectors, ids, AnnConfig(exact_below=0))
    queries = _clustered_vectors(50, seed=1)

    found = np.stack([ann.search(query, 100)[0] for query in queries])
    exact_rows, _ = exact_top_k(vectors, queries, 100)

    assert ann.kind == "hnsw"
    assert recall_at_k(found, ids[exact_rows]) >= 0.95


def test_small_collection_gets_exact_index():
    vectors = _clustered_vectors(300)
    ids = np.arange(300, dtype=np.int64)
    ann = build_ann_index(vectors, ids, AnnConfig(exact_below=1000))

    found, scores = ann.search(vectors[7], 5)
    exact_rows, exact_scores = exact_top_k(vectors, vectors[7:8], 5)

    assert ann.kind == "flat"
    assert found.tolist() == exact_rows[0].tolist()
    assert np.allclose(scores, exact_scores[0])


def test_saved_index_loads_with_same_results(tmp_path):
    vectors = _clustered_vectors(2000)
    ids = np.arange(10, 2010, dtype=np.int64)
    ann = build_ann_index(vectors, ids, AnnConfig(exact_below=0, ef_search=64))
    save_ann_index(ann, tmp_path / "index")

    loaded = load_ann_index(tmp_path / "index")

    assert loaded.kind == "hnsw"
    assert loaded.config.ef_search == 64
    assert (
        loaded.search(vectors[3], 10)[0].tolist()
        == ann.search(vectors[3], 10)[0].tolist()
    )
    assert np.allclose(loaded.vectors_of(np.asarray([0, 5])), vectors[[0, 5]])


def test_save_refuses_existing_directory(tmp_path):
    ann = build_ann_index(_clustered_vectors(10), np.arange(10))
    (tmp_path / "index").mkdir()

    with pytest.raises(FileExistsError):
        save_ann_index(ann, tmp_path / "index")


def test_search_returns_fewer_when_index_is_small():
    ann = build_ann_index(_clustered_vectors(3), np.asarray([5, 6, 7]))

    found, scores = ann.search(_clustered_vectors(1)[0], 10)

    assert sorted(found.tolist()) == [5, 6, 7]
    assert len(scores) == 3


def test_empty_index_returns_nothing():
    ann = build_ann_index(np.empty((0, 8), dtype=np.float32), np.empty(0))

    found, scores = ann.search(np.ones(8, dtype=np.float32), 10)

    assert len(found) == 0
    assert len(scores) == 0


def test_search_rejects_wrong_dimension():
    ann = build_ann_index(_clustered_vectors(10, dimension=8), np.arange(10))

    with pytest.raises(ValueError, match="3 dimensions and the index 8"):
        ann.search(np.ones(3, dtype=np.float32), 5)


@pytest.mark.parametrize(
    ("vectors", "ids", "message"),
    [
        (np.ones((3, 4)), np.arange(2), "3 vectors for 2 ids"),
        (np.ones((2, 4)), np.asarray([1, 1]), "duplicates"),
        (np.ones(4), np.arange(4), "must be 2-D"),
    ],
)
def test_build_rejects_bad_input(vectors, ids, message):
    with pytest.raises(ValueError, match=message):
        build_ann_index(vectors, ids)


def test_config_rejects_non_positive_search_depth():
    with pytest.raises(ValueError, match="ef_search must be positive"):
        AnnConfig(ef_search=0)


def test_recall_counts_shared_share():
    approximate = np.asarray([[1, 2, 3, 4], [5, 6, 7, 8]])
    exact = np.asarray([[1, 2, 9, 10], [5, 6, 7, 8]])

    assert recall_at_k(approximate, exact) == 0.75
