"""Paths and files that cannot be read in full, and how they are reported."""

import gzip
import os
import zlib

import pytest
from django.core.management import CommandError, call_command

from recommender.importing.service import import_paths
from recommender.models import Interaction

pytestmark = pytest.mark.django_db


def test_empty_directory_is_reported(tmp_path, capsys):
    directory = tmp_path / "inputs"
    directory.mkdir()
    (directory / "nested").mkdir()

    with pytest.raises(CommandError, match="No input could be read"):
        call_command("import_amazon", str(directory))

    output = capsys.readouterr().out
    message = (
        f"{directory}: the directory contains no regular files (subdirectories "
        "are not searched); pass a directory that contains input files, or the "
        "files themselves."
    )
    assert output.splitlines()[0] == (
        f"{directory}: 0 lines read, 0 rows parsed, 0 skipped, 0 with warnings"
    )
    assert f"  error: {message}" in output.splitlines()


def test_empty_directory_report(tmp_path, write_input, review_line):
    directory = tmp_path / "inputs"
    directory.mkdir()
    good = write_input("reviews.jsonl", [review_line()])

    report = import_paths(paths=[directory, good])

    assert report.files[0].path == str(directory)
    assert report.files[0].error.startswith(
        f"{directory}: the directory contains no regular files"
    )
    assert report.files[1].counts.ratings.inserted == 1


def test_named_pipe_is_not_missing(tmp_path, write_input, review_line):
    pipe = tmp_path / "reviews.pipe"
    os.mkfifo(pipe)
    good = write_input("reviews.jsonl", [review_line()])

    report = import_paths(paths=[pipe, good])

    assert report.files[0].error == (
        f"{pipe}: a named pipe (FIFO), not a regular file or directory; "
        "write the data to a file and pass that file."
    )
    assert report.files[1].counts.ratings.inserted == 1


def test_empty_file_has_no_line_number(write_input, capsys):
    path = write_input("empty.jsonl", [])

    with pytest.raises(CommandError, match="No input could be read"):
        call_command("import_amazon", str(path))

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{path}: warning: empty file: no data lines; nothing imported"
    assert not any(f"{path}:0:" in line for line in lines)


def test_blank_lines_only_is_empty_file(write_input):
    path = write_input("blank.jsonl", ["", "   ", ""])

    report = import_paths(paths=[path])

    (problem,) = report.files[0].listed_problems
    assert problem.line_number is None
    assert problem.reason == "empty file"
    assert report.files[0].lines_read == 3


def test_gzip_magic_without_gzip_data(tmp_path, write_input, review_line):
    fake = tmp_path / "reviews.jsonl"
    fake.write_bytes(b"\x1f\x8bnot gzip at all\n" + review_line().encode())
    good = write_input("good.jsonl", [review_line(user_id="U2")])

    report = import_paths(paths=[fake, good])

    assert report.files[0].error == (
        f"{fake}: not a valid gzip file (Unknown compression method): it starts "
        "with the gzip magic bytes 1f 8b but cannot be decompressed; nothing "
        "imported."
    )
    assert report.files[0].lines_read == 0
    assert report.files[1].counts.ratings.inserted == 1


def test_gzip_cut_off_in_header(tmp_path):
    path = tmp_path / "reviews.jsonl.gz"
    path.write_bytes(b"\x1f\x8b\x08")

    report = import_paths(paths=[path])

    assert report.files[0].error == (
        f"{path}: the gzip file is cut off before the end of its first line; "
        "nothing imported."
    )
    assert report.readable is False


def test_command_lists_no_problems_on_request(write_input, review_line, capsys):
    lines = [review_line(user_id=f"U{number}", rating=9) for number in range(4)]
    path = write_input("reviews.jsonl", lines)

    call_command("import_amazon", str(path), "--max-listed-problems", "0")

    output = capsys.readouterr().out.splitlines()
    assert output[0] == (
        f"{path}: 4 problem lines not listed; their counts by reason follow"
    )
    assert not any(line.startswith(f"{path}:1:") for line in output)


def complete_lines(truncated):
    """Count the whole lines that zlib can recover from a cut gzip stream."""
    return zlib.decompressobj(wbits=31).decompress(truncated).count(b"\n")


def test_cut_off_gzip_summary(tmp_path, review_line, capsys):
    lines = [review_line(user_id=f"U{number}") for number in range(2000)]
    content = gzip.compress("\n".join(lines).encode() + b"\n")
    path = tmp_path / "reviews.jsonl.gz"
    truncated = content[: len(content) // 2]
    path.write_bytes(truncated)
    read = complete_lines(truncated)

    call_command("import_amazon", str(path), "--batch-size", "300")

    output = capsys.readouterr().out.splitlines()
    assert 0 < read < 2000
    assert output[0] == (
        f"{path} (review JSONL): {read:,} lines read, {read:,} rows parsed, "
        "0 skipped, 0 with warnings"
    )
    assert output[1] == (
        f"  error: {path}: the file is cut off after line {read}: the gzip "
        "stream ends before its end-of-stream marker. Lines 1 to "
        f"{read} were read and their rows stored; the rest of the file is "
        "missing. Import a complete copy to add the rest; rows already stored "
        "are not duplicated."
    )
    assert Interaction.objects.count() == read


def test_short_cut_off_gzip_keeps_rows(tmp_path, review_line):
    lines = [review_line(user_id=f"U{number}") for number in range(10)]
    content = gzip.compress("\n".join(lines).encode() + b"\n")
    path = tmp_path / "reviews.jsonl.gz"
    truncated = content[:-30]
    path.write_bytes(truncated)
    read = complete_lines(truncated)

    report = import_paths(paths=[path])

    file_report = report.files[0]
    assert 0 < read < 10
    assert file_report.lines_read == read
    assert file_report.records == read
    assert file_report.error.startswith(
        f"{path}: the file is cut off after line {read}:"
    )
    assert Interaction.objects.count() == read
    assert report.readable is True


def test_damaged_gzip_names_line(tmp_path, review_line):
    lines = [review_line(user_id=f"U{number}") for number in range(2000)]
    content = bytearray(gzip.compress("\n".join(lines).encode() + b"\n"))
    # Flipping bytes in the middle of the deflate data breaks the stream
    # there, or at the latest at the CRC check at its end.
    middle = len(content) // 2
    content[middle : middle + 8] = bytes(255 - byte for byte in content[middle:][:8])
    path = tmp_path / "reviews.jsonl.gz"
    path.write_bytes(bytes(content))

    report = import_paths(paths=[path])

    file_report = report.files[0]
    assert file_report.error.startswith(
        f"{path}: the gzip stream is damaged after line {file_report.lines_read} ("
    )
    assert file_report.error.endswith(
        "lines near the damage may hold altered values, and the rest of the "
        "file was not read. Import an undamaged copy to add the rest; rows "
        "already stored are not duplicated."
    )
