import gzip
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from recommender.ml.benchmark_files import (
    read_benchmark_directory,
    read_benchmark_files,
)

KCORE5 = Path(str(settings.MARKETPLACE_DATA_DIR)) / "amazon2023/electronics/kcore5"
HEADER = "user_id,parent_asin,rating,timestamp\n"


def write_split_files(directory, train, valid, test, metadata=None):
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in (("train", train), ("valid", valid), ("test", test)):
        (directory / f"Shop.{name}.csv").write_text(HEADER + "".join(rows))
    if metadata is not None:
        (directory / "meta_Shop.jsonl").write_text(metadata)
    return directory


@pytest.fixture(scope="module")
def kcore5():
    return read_benchmark_directory(KCORE5)


@pytest.mark.slow
def test_kcore5_row_count(kcore5):
    assert len(kcore5.log) == 131_154


@pytest.mark.slow
def test_kcore5_split_counts(kcore5):
    assert np.bincount(kcore5.split).tolist() == [111_481, 6_557, 13_116]


@pytest.mark.slow
def test_kcore5_vocabularies(kcore5):
    assert len(kcore5.log.user_ids) == 15_266
    assert len(kcore5.log.item_ids) == 9_671


@pytest.mark.slow
def test_kcore5_metadata_fields(kcore5):
    position = kcore5.log.item_ids.index("B08GFTPQ5B")

    assert kcore5.log.items.stores[position] == "iCasso"
    assert kcore5.log.items.categories[position] == "Hard Shell Cases"
    assert kcore5.log.items.prices[position] == pytest.approx(27.99)


@pytest.mark.slow
def test_kcore5_unknown_prices_are_nan(kcore5):
    unknown = np.isnan(kcore5.log.items.prices).mean()

    assert unknown == pytest.approx(0.189, abs=0.001)


@pytest.mark.slow
def test_gzipped_copies_read_the_same(kcore5, tmp_path):
    for source in KCORE5.iterdir():
        with (
            source.open("rb") as plain,
            gzip.open(tmp_path / f"{source.name}.gz", "wb") as packed,
        ):
            shutil.copyfileobj(plain, packed)

    packed = read_benchmark_directory(tmp_path)

    assert np.bincount(packed.split).tolist() == [111_481, 6_557, 13_116]
    assert packed.log.item_ids == kcore5.log.item_ids
    assert np.array_equal(packed.log.timestamp_ms, kcore5.log.timestamp_ms)
    assert packed.log.items.titles == kcore5.log.items.titles


def test_reader_indexes_in_order_of_appearance(tmp_path):
    directory = write_split_files(
        tmp_path,
        ["u1,A,5.0,1000\n", "u2,B,4.0,2000\n"],
        ["u1,C,3.0,3000\n"],
        ["u3,A,1.0,4000\n"],
    )

    data = read_benchmark_directory(directory)

    assert data.log.user_ids == ["u1", "u2", "u3"]
    assert data.log.item_ids == ["A", "B", "C"]
    assert data.log.item.tolist() == [0, 1, 2, 0]
    assert data.split.tolist() == [0, 0, 1, 2]
    assert data.log.rating.tolist() == [5.0, 4.0, 3.0, 1.0]


def test_reader_accepts_history_column(tmp_path):
    for name in ("train", "valid", "test"):
        (tmp_path / f"Shop.{name}.csv").write_text(
            "user_id,parent_asin,rating,timestamp,history\nu1,B,5.0,10,A C\n"
        )

    data = read_benchmark_directory(tmp_path)

    assert len(data.log) == 3


def test_reader_adds_metadata_only_products(tmp_path):
    metadata = (
        '{"parent_asin": "A", "title": "Cable", "store": "Acme", "price": "$1,299.00",'
        ' "categories": ["Electronics", "Cables"]}\n'
        '{"parent_asin": "Z", "title": "Lamp", "store": null, "price": "from 9.99",'
        ' "categories": []}\n'
    )
    directory = write_split_files(
        tmp_path, ["u1,A,5.0,1\n"], ["u1,A,5.0,2\n"], ["u1,A,5.0,3\n"], metadata
    )

    data = read_benchmark_directory(directory)

    assert data.log.item_ids == ["A", "Z"]
    assert data.log.items.categories == ["Electronics > Cables", ""]
    assert data.log.items.stores == ["Acme", ""]
    assert data.log.items.prices[0] == pytest.approx(1299.0)
    assert np.isnan(data.log.items.prices[1])


def test_reader_rejects_wrong_header(tmp_path):
    for name in ("train", "valid", "test"):
        (tmp_path / f"Shop.{name}.csv").write_text("user,item,rating,time\n")

    with pytest.raises(ValueError, match="header"):
        read_benchmark_directory(tmp_path)


def test_reader_names_malformed_line(tmp_path):
    directory = write_split_files(tmp_path, ["u1,A,5.0,1\n", "u1,B,5.0,soon\n"], [], [])

    with pytest.raises(ValueError, match=r"line 3"):
        read_benchmark_directory(directory)


def test_reader_requires_each_split_file(tmp_path):
    (tmp_path / "Shop.train.csv").write_text(HEADER)

    with pytest.raises(FileNotFoundError, match=r"\*\.valid\.csv"):
        read_benchmark_directory(tmp_path)


def test_part_returns_one_file(tmp_path):
    directory = write_split_files(
        tmp_path, ["u1,A,5.0,1\n"], ["u1,B,5.0,2\n"], ["u2,A,5.0,3\n"]
    )
    data = read_benchmark_files(
        train=directory / "Shop.train.csv",
        valid=directory / "Shop.valid.csv",
        test=directory / "Shop.test.csv",
    )

    assert data.part("valid").item.tolist() == [1]


def test_reader_names_invalid_utf8_line(tmp_path):
    directory = write_split_files(tmp_path, ["u1,A,5.0,1\n"], ["u1,B,5.0,2\n"], [])
    test_file = directory / "Shop.test.csv"
    test_file.write_bytes(HEADER.encode() + b"u1,A,5.0,3\nu\xf5,B,4.0,4\n")

    with pytest.raises(ValueError) as raised:
        read_benchmark_directory(directory)

    assert str(raised.value) == (
        f"{test_file}, line 3: invalid UTF-8 byte 0xf5 at byte 2 of the line; "
        "benchmark files must be UTF-8 text, plain or gzipped."
    )


def test_reader_names_invalid_utf8_line_in_gzip(tmp_path):
    directory = write_split_files(tmp_path, [], ["u1,B,5.0,2\n"], ["u1,A,5.0,3\n"])
    (directory / "Shop.train.csv").unlink()
    train_file = directory / "Shop.train.csv.gz"
    train_file.write_bytes(gzip.compress(HEADER.encode() + b"u1,\xff\xfe,5.0,1\n"))

    with pytest.raises(ValueError, match=re.escape(f"{train_file}, line 2: ")):
        read_benchmark_directory(directory)


def test_reader_rejects_binary_file(tmp_path):
    directory = write_split_files(tmp_path, [], [], [])
    train_file = directory / "Shop.train.csv"
    train_file.write_bytes(bytes(range(256)))

    with pytest.raises(ValueError) as raised:
        read_benchmark_directory(directory)

    # Byte 10 is a line feed, and 0x80 is the first byte that is not UTF-8.
    assert str(raised.value).startswith(
        f"{train_file}, line 2: invalid UTF-8 byte 0x80 at byte 118 of the line"
    )


def test_reader_names_truncated_gzip_file(tmp_path):
    directory = write_split_files(tmp_path, [], [], [])
    valid_file = directory / "Shop.valid.csv"
    packed = gzip.compress((HEADER + "u1,A,5.0,1\n" * 1000).encode())
    valid_file.write_bytes(packed[: len(packed) // 2])

    with pytest.raises(ValueError, match=re.escape(f"{valid_file}: corrupt gzip")):
        read_benchmark_directory(directory)


def test_reader_names_oversized_csv_field(tmp_path):
    directory = write_split_files(
        tmp_path, ["u1,A,5.0,1\n", f"u1,{'B' * 200_000},5.0,2\n"], [], []
    )

    with pytest.raises(ValueError, match=r"Shop\.train\.csv, line 3: invalid CSV"):
        read_benchmark_directory(directory)


def test_reader_drops_byte_order_mark(tmp_path):
    directory = write_split_files(tmp_path, [], ["u1,B,5.0,2\n"], ["u1,A,5.0,3\n"])
    (directory / "Shop.train.csv").write_bytes(
        b"\xef\xbb\xbf" + HEADER.encode() + b"u1,A,5.0,1\n"
    )

    data = read_benchmark_directory(directory)

    assert np.bincount(data.split).tolist() == [1, 1, 1]


def test_reader_names_invalid_utf8_metadata_line(tmp_path):
    directory = write_split_files(
        tmp_path, ["u1,A,5.0,1\n"], ["u1,A,5.0,2\n"], ["u1,A,5.0,3\n"], ""
    )
    metadata_file = directory / "meta_Shop.jsonl"
    metadata_file.write_bytes(b'{"parent_asin": "A"}\n{"title": "\xe9"}\n')

    with pytest.raises(ValueError, match=re.escape(f"{metadata_file}, line 2: ")):
        read_benchmark_directory(directory)


def test_directory_given_as_file_names_parent(tmp_path):
    directory = write_split_files(tmp_path, [], [], [])

    with pytest.raises(NotADirectoryError) as raised:
        read_benchmark_directory(directory / "Shop.train.csv")

    assert (
        f"{directory / 'Shop.train.csv'} is a file, not a directory; pass the "
        f"directory that contains it ({directory})"
    ) in str(raised.value)
