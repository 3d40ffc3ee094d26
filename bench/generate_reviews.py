"""Generate SYNTHETIC review and item metadata files for the import benchmark.

Every value in the output is made up by a seeded random generator, and
nothing comes from the Amazon data. The files follow the raw Amazon Reviews
2023 formats field by field (review JSONL and item metadata JSONL) and
carry "synthetic" in their names. The shape mimics the real release:

- Item popularity follows a Zipf-like law: a few items get many reviews,
  most items few.
- User activity is heavy-tailed: most users write one or two reviews, and a
  few write hundreds.
- Lines are grouped by user, with each user's reviews newest first.
- Text length is log-normal, with a median near 160 characters and a mean
  near 300, as in the first 500 lines of the official Electronics file.

Usage: python bench/generate_reviews.py [--lines N] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import string
import time
from pathlib import Path

import numpy as np

DEFAULT_OUT_DIR = Path(__file__).resolve().parent / "out"
ID_ALPHABET = np.array(list(string.ascii_uppercase + "234567"))
ASIN_ALPHABET = np.array(list(string.ascii_uppercase + string.digits))
FIRST_MS = 1_262_304_000_000  # 2010-01-01T00:00:00Z
LAST_MS = 1_679_270_400_000  # 2023-03-20T00:00:00Z
RATINGS = np.array([5.0, 4.0, 3.0, 2.0, 1.0])
RATING_SHARES = np.array([0.65, 0.16, 0.07, 0.03, 0.09])
CATEGORY_TREE = {
    "Computers & Accessories": ["Laptops", "Monitors", "Keyboards", "Cables"],
    "Camera & Photo": ["Lenses", "Tripods", "Memory Cards"],
    "Headphones, Earbuds & Accessories": ["Earbuds", "Over-Ear Headphones"],
    "Cell Phones & Accessories": ["Cases", "Chargers", "Screen Protectors"],
    "Television & Video": ["Televisions", "Streaming Media Players"],
}


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--lines",
        type=int,
        default=1_000_000,
        help="review lines to write (default: 1,000,000)",
    )
    parser.add_argument(
        "--items",
        type=int,
        default=50_000,
        help="distinct products, each with one metadata line (default: 50,000)",
    )
    parser.add_argument(
        "--seed", type=int, default=2023, help="random seed (default: 2023)"
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help=f"directory for the files (default: {DEFAULT_OUT_DIR})",
    )
    return parser.parse_args()


def random_ids(
    rng: np.random.Generator, count: int, prefix: str, alphabet: np.ndarray, length: int
) -> list[str]:
    """Return `count` distinct ids of `length` characters after `prefix`."""
    ids: set[str] = set()
    while len(ids) < count:
        letters = rng.choice(alphabet, size=(count - len(ids), length))
        ids.update(prefix + "".join(row) for row in letters)
    return sorted(ids)


def make_corpus(rng: np.random.Generator, size: int) -> str:
    """Return `size` characters of made-up words to cut texts from."""
    syllables = ["ka", "lo", "mi", "ne", "sur", "ta", "ven", "do", "ri", "pa"]
    words = [
        "".join(rng.choice(syllables, size=rng.integers(1, 4))) for _ in range(3_000)
    ]
    picked = rng.choice(words, size=size // 4)
    return " ".join(picked)[:size]


def user_review_counts(rng: np.random.Generator, lines: int) -> np.ndarray:
    """Return review counts per user, heavy-tailed, summing to `lines`."""
    counts = np.minimum(rng.zipf(2.3, size=lines), 1_000)
    cumulative = np.cumsum(counts)
    user_count = int(np.searchsorted(cumulative, lines)) + 1
    counts = counts[:user_count].copy()
    counts[-1] -= int(cumulative[user_count - 1]) - lines
    return counts


def write_reviews(
    rng: np.random.Generator, path: Path, lines: int, asins: list[str]
) -> int:
    counts = user_review_counts(rng, lines)
    user_ids = random_ids(rng, len(counts), "A", ID_ALPHABET, 27)
    rng.shuffle(user_ids)

    # Zipf-Mandelbrot weights 1 / (rank + 20): the top item gets about 0.6%
    # of the reviews and the top 1% of items about 40% of them.
    ranks = np.arange(1, len(asins) + 1)
    popularity = 1.0 / (ranks + 20.0)
    items = rng.choice(len(asins), size=lines, p=popularity / popularity.sum())
    ratings = rng.choice(RATINGS, size=lines, p=RATING_SHARES)
    timestamps = rng.integers(FIRST_MS, LAST_MS, size=lines)
    text_lengths = np.minimum(rng.lognormal(5.08, 1.1, size=lines), 8_000)
    corpus = make_corpus(rng, 4_000_000)
    starts = rng.integers(0, len(corpus) - 8_200, size=lines)
    helpful_votes = rng.geometric(0.6, size=lines) - 1
    verified = rng.random(lines) < 0.85
    variant = rng.random(lines) < 0.45
    with_image = rng.random(lines) < 0.02

    line_index = 0
    with path.open("w", encoding="utf-8") as output:
        for user_id, count in zip(user_ids, counts, strict=True):
            end = line_index + int(count)
            # Newest first within a user, as in the official review file.
            order = np.argsort(-timestamps[line_index:end]) + line_index
            for index in order:
                asin = asins[items[index]]
                start = int(starts[index])
                review = {
                    "rating": float(ratings[index]),
                    "title": corpus[start : start + 24].strip(),
                    "text": corpus[start : start + int(text_lengths[index])],
                    "images": _review_images(asin) if with_image[index] else [],
                    "asin": asin[:-1] + "X" if variant[index] else asin,
                    "parent_asin": asin,
                    "user_id": user_id,
                    "timestamp": int(timestamps[index]),
                    "helpful_vote": int(helpful_votes[index]),
                    "verified_purchase": bool(verified[index]),
                }
                output.write(json.dumps(review) + "\n")
            line_index = end
    return len(user_ids)


def _review_images(asin: str) -> list[dict[str, str]]:
    base = f"https://example.invalid/synthetic/{asin}"
    return [
        {
            "small_image_url": f"{base}_SL256.jpg",
            "medium_image_url": f"{base}_SL800.jpg",
            "large_image_url": f"{base}_SL1600.jpg",
            "attachment_type": "IMAGE",
        }
    ]


def write_metadata(rng: np.random.Generator, path: Path, asins: list[str]) -> None:
    branches = list(CATEGORY_TREE)
    with path.open("w", encoding="utf-8") as output:
        for number, asin in enumerate(asins):
            branch = branches[number % len(branches)]
            leaves = CATEGORY_TREE[branch]
            # 28 of the first 500 official metadata records have an empty
            # category list.
            categories = (
                []
                if rng.random() < 0.05
                else ["Electronics", branch, leaves[number % len(leaves)]]
            )
            price: float | str | None = None
            if rng.random() < 0.5:
                price = round(float(rng.lognormal(3.3, 1.0)), 2)
            elif rng.random() < 0.01:
                price = "from $9.99"
            base = f"https://example.invalid/synthetic/{asin}"
            record = {
                "main_category": "All Electronics",
                "title": f"Synthetic product {asin}",
                "average_rating": round(float(rng.uniform(1, 5)), 1),
                "rating_number": int(rng.geometric(0.01)),
                "features": ["Synthetic feature one", "Synthetic feature two"],
                "description": ["A synthetic product for the import benchmark."],
                "price": price,
                "images": [
                    {
                        "thumb": f"{base}_US40.jpg",
                        "large": f"{base}.jpg",
                        "variant": "MAIN",
                        "hi_res": f"{base}_SL1500.jpg",
                    }
                ],
                "videos": [],
                "store": f"Store {number % 997}",
                "categories": categories,
                "details": {"Item Weight": f"{number % 50 + 1} ounces"},
                "parent_asin": asin,
                "bought_together": None,
            }
            output.write(json.dumps(record) + "\n")


def main() -> None:
    arguments = parse_arguments()
    rng = np.random.default_rng(arguments.seed)
    arguments.out_dir.mkdir(parents=True, exist_ok=True)
    reviews_path = arguments.out_dir / f"synthetic_Electronics.{arguments.lines}.jsonl"
    metadata_path = (
        arguments.out_dir / f"synthetic_meta_Electronics.{arguments.items}.jsonl"
    )

    started = time.perf_counter()
    asins = random_ids(rng, arguments.items, "B0", ASIN_ALPHABET, 8)
    rng.shuffle(asins)
    write_metadata(rng, metadata_path, asins)
    user_count = write_reviews(rng, reviews_path, arguments.lines, asins)
    elapsed = time.perf_counter() - started

    print(
        f"Wrote {arguments.lines:,} synthetic reviews by {user_count:,} users "
        f"to {reviews_path} and {arguments.items:,} synthetic products to "
        f"{metadata_path} in {elapsed:.1f} s."
    )


if __name__ == "__main__":
    main()
