"""The HL7 packages are loaded as trusted (no R4 model check at each first start), because this test checks every
resource they contribute against the models once: exactly those in terminology.hl7.INVALID fail, and hl7_items
turns those into rejections and nothing else."""
from __future__ import annotations

from terminology.hl7 import INVALID, hl7_items, package_file, selected_items
from terminology.validation import validation_errors


def test_exactly_the_resources_named_invalid_fail_validation():
    failing = {}
    for item in selected_items():
        assert item.error is None, item.source
        if item.resource is None:       # an item of notes only
            continue
        problems = validation_errors(item.resource)
        if problems:
            failing[package_file(item)] = problems
    assert set(failing) == set(INVALID)
    for where, problems in failing.items():
        said = INVALID[where]
        # the reason given is the one validation gives (a '|' in a url in shorter words)
        assert said in problems or ("'|'" in said and "must not contain '|'" in problems[0]), (where, problems)


def test_hl7_items_trusts_the_valid_and_rejects_the_invalid_by_name():
    rejected, trusted = [], 0
    for item in hl7_items():
        if item.error:
            rejected.append(package_file(item))
            assert item.error.startswith("not valid R4: ")
        elif item.resource is not None:
            assert item.trusted and item.resource["meta"]["tag"][-1]["code"] == "hl7"
            trusted += 1
    assert sorted(rejected) == sorted(INVALID)
    assert trusted > 5000
