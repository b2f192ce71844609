"""The gguf-py judge for hubferry's GGUF files.

argv[1] names a JSON job: {"ours": PATH, "reference": PATH | null, "arch": STR, "metadata": [[key,
value]], "tensors": [{"name", "dims", "type", "data"}], "alignment": N}. When "reference" is set,
gguf.GGUFWriter writes the same metadata and tensors there (dims in ggml order, data files of the
type's bytes). Either way gguf.GGUFReader parses "ours" and the script prints what it read as JSON:
every field's types and contents, every tensor's name, dims, type, offset and size.
"""
import json
import sys

import numpy as np
from gguf import GGML_QUANT_SIZES, GGMLQuantizationType, GGUFReader, GGUFValueType, GGUFWriter

SIMPLE = {
    "uint8": "add_uint8", "int8": "add_int8", "uint16": "add_uint16", "int16": "add_int16",
    "uint32": "add_uint32", "int32": "add_int32", "float32": "add_float32", "bool": "add_bool",
    "string": "add_string", "uint64": "add_uint64", "int64": "add_int64", "float64": "add_float64",
}


def write_reference(job):
    writer = GGUFWriter(job["reference"], job["arch"])
    if job.get("alignment", 32) != 32:
        writer.data_alignment = job["alignment"]
    for key, value in job["metadata"]:
        if key == "general.architecture":
            continue
        if value["type"] == "array":
            sub = GGUFValueType[value["itemType"].upper()]
            writer.add_key_value(key, value["values"], GGUFValueType.ARRAY, sub_type=sub)
        else:
            getattr(writer, SIMPLE[value["type"]])(key, int(value["value"]) if value["type"] in ("uint64", "int64") else value["value"])
    for t in job["tensors"]:
        raw = np.fromfile(t["data"], dtype=np.uint8)
        qtype = GGMLQuantizationType[t["type"]]
        block, size = GGML_QUANT_SIZES[qtype]
        shape = list(reversed(t["dims"]))
        shape[-1] = shape[-1] // block * size
        writer.add_tensor(t["name"], raw.reshape(shape), raw_dtype=qtype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def plain(value):
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8")
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def read(path):
    reader = GGUFReader(path)
    fields = []
    for name, field in reader.fields.items():
        if name.startswith("GGUF."):
            continue
        fields.append({"key": name, "types": [t.name for t in field.types], "value": plain(field.contents())})
    tensors = [
        {"name": t.name, "dims": [int(d) for d in t.shape], "type": t.tensor_type.name,
         "offset": int(t.data_offset), "bytes": int(t.n_bytes)}
        for t in reader.tensors
    ]
    return {"fields": fields, "tensors": tensors}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        job = json.load(f)
    if job.get("reference"):
        write_reference(job)
    print(json.dumps(read(job["ours"])))


if __name__ == "__main__":
    main()
