"""Write the malformed-input corpus under tests/data/bad/ (run once; output is committed)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd

ROOT = Path(__file__).resolve().parents[2]
BAD = Path(__file__).resolve().parent / "bad"
HEADER = (
    "id,address,rooms,living_area_m2,rent_gross_cold_eur,floor,lift,barrier_free,available_from"
)


def flats_csv(lines: list[str], cols: str = "lon,lat") -> str:
    """A small flats CSV with the given data lines."""
    return "\n".join([f"{HEADER},{cols}", *lines]) + "\n"


def feature(geom: dict, props: dict) -> dict:
    """A GeoJSON feature."""
    return {"type": "Feature", "geometry": geom, "properties": props}


def collection(features: list[dict], crs: str | None = None) -> str:
    """A GeoJSON feature collection (optionally with a legacy named CRS)."""
    doc: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(doc)


def main() -> None:
    """Write every bad file."""
    BAD.mkdir(exist_ok=True)
    ok = "F-9001,Weg 1,2,50,480,1,false,false,2026-12-01"
    files = {
        "flats_lon_200.csv": flats_csv([f"{ok},200.0,52.15"]),
        "flats_swapped_latlon.csv": flats_csv([f"{ok},52.156,10.336"]),
        "flats_missing_column.csv": "id,rooms,living_area_m2,available_from,lon,lat\n"
        "F-9001,2,50,2026-12-01,10.336,52.156\n",
        "flats_text_in_number.csv": flats_csv(
            ["F-9001,Weg 1,2,50,abc,1,false,false,2026-12-01,10.336,52.156"]
        ),
        "flats_duplicate_id.csv": flats_csv([f"{ok},10.336,52.156", f"{ok},10.337,52.157"]),
        "flats_bad_date.csv": flats_csv(
            ["F-9001,Weg 1,2,50,480,1,false,false,31.02.2026,10.336,52.156"]
        ),
        "flats_empty.csv": "",
        "flats_wrong_crs.geojson": collection(
            [
                feature(
                    {"type": "Point", "coordinates": [10.336, 52.156]},
                    {
                        "id": "F-9001",
                        "rooms": 2,
                        "living_area_m2": 50,
                        "rent_gross_cold_eur": 480,
                        "available_from": "2026-12-01",
                    },
                )
            ],
            crs="urn:ogc:def:crs:EPSG::25832",
        ),
        "districts_self_intersecting.geojson": collection(
            [
                feature(
                    {
                        "type": "Polygon",
                        "coordinates": [
                            [
                                [10.30, 52.10],
                                [10.40, 52.20],
                                [10.40, 52.10],
                                [10.30, 52.20],
                                [10.30, 52.10],
                            ]
                        ],
                    },
                    {"code": "BOW", "name": "Bowtie"},
                )
            ]
        ),
        "districts_overlapping.geojson": collection(
            [
                feature(
                    {
                        "type": "Polygon",
                        "coordinates": [
                            [
                                [10.30, 52.10],
                                [10.35, 52.10],
                                [10.35, 52.15],
                                [10.30, 52.15],
                                [10.30, 52.10],
                            ]
                        ],
                    },
                    {"code": "AAA", "name": "A"},
                ),
                feature(
                    {
                        "type": "Polygon",
                        "coordinates": [
                            [
                                [10.33, 52.12],
                                [10.38, 52.12],
                                [10.38, 52.17],
                                [10.33, 52.17],
                                [10.33, 52.12],
                            ]
                        ],
                    },
                    {"code": "BBB", "name": "B"},
                ),
            ]
        ),
        "amenities_unknown_category.geojson": collection(
            [
                feature(
                    {"type": "Point", "coordinates": [10.336, 52.156]},
                    {"source": "t", "source_id": "1", "category": "casino", "name": "X"},
                )
            ]
        ),
        "offers_unknown_language.geojson": collection(
            [
                feature(
                    {"type": "Point", "coordinates": [10.336, 52.156]},
                    {
                        "id": "O-900",
                        "name": "Kurs",
                        "category": "language_course",
                        "provider": "VHS",
                        "languages": "de;zz",
                    },
                )
            ]
        ),
    }
    for name, text in files.items():
        (BAD / name).write_text(text, encoding="utf-8")
    (BAD / "flats_wrong_encoding.csv").write_bytes(
        flats_csv([f"{ok},10.336,52.156"]).encode("utf-16")
    )
    (BAD / "flats_broken.zip").write_bytes(b"PK\x03\x04" + bytes(range(200)))
    flats = gpd.read_file(ROOT / "data/sample/flats.geojson").head(50)
    flats.to_file(BAD.parent / "full.gpkg", driver="GPKG")
    raw = (BAD.parent / "full.gpkg").read_bytes()
    (BAD / "flats_truncated.gpkg").write_bytes(raw[: len(raw) // 3])
    (BAD.parent / "full.gpkg").unlink()
    with zipfile.ZipFile(BAD / "flats_no_prj.zip", "w") as zf:
        tmp = BAD.parent / "noprj"
        tmp.mkdir(exist_ok=True)
        flats.to_file(tmp / "flats.shp")
        for part in tmp.iterdir():
            if part.suffix != ".prj":
                zf.write(part, part.name)
            part.unlink()
        tmp.rmdir()


if __name__ == "__main__":
    main()
