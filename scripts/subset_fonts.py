"""Rebuild the shipped font subsets in app/static/fonts from Debian's fonts-paratype (OFL 1.1).

Run once when the glyph set changes:
    apt-get install fonts-paratype && .venv/bin/python scripts/subset_fonts.py
The subsets keep Latin, Cyrillic (all Kazakh letters: ә ғ қ ң ө ұ ү һ і), punctuation, № and ₸, so the
web pages and WeasyPrint documents load small files and render fast.
"""

from pathlib import Path

from fontTools import subset

SOURCE = Path("/usr/share/fonts/truetype/paratype")
TARGET = Path(__file__).resolve().parent.parent / "app" / "static" / "fonts"
FONTS = {
    "PTSans-Regular": "PTS55F.ttf",
    "PTSans-Bold": "PTS75F.ttf",
    "PTSerif-Regular": "PTF55F.ttf",
    "PTSerif-Bold": "PTF75F.ttf",
}
UNICODES = "U+0020-007E,U+00A0-00FF,U+0400-04FF,U+2010-2027,U+2030-203A,U+2116,U+20B8,U+2212"


def main() -> None:
    TARGET.mkdir(parents=True, exist_ok=True)
    for name, source in FONTS.items():
        for flavor, suffix in ((None, "ttf"), ("woff2", "woff2")):
            args = [
                str(SOURCE / source),
                f"--unicodes={UNICODES}",
                f"--output-file={TARGET / name}.{suffix}",
                "--layout-features=*",
                "--name-IDs=*",
                "--name-languages=*",
            ]
            if flavor:
                args.append(f"--flavor={flavor}")
            subset.main(args)
            print(f"{name}.{suffix}: {(TARGET / f'{name}.{suffix}').stat().st_size} bytes")


if __name__ == "__main__":
    main()
