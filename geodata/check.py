"""`python -m geodata.check` (or `python -m geodata check`): the bad-input and fault matrix in one command.

The matrix (issue 13's 84 cases, reproduced in kind) is the table ``MATRIX`` below: each case has its
category, what it checks in plain words and the tests that prove it (pytest node ids; an id without
``[...]`` stands for every parameter set of that test). The command runs exactly those tests plus any
marked ``reliability``, reads the results from pytest's JUnit XML and prints one row per case with
``passed``, ``failed``, ``skipped``, ``missing`` (a test in the table that pytest no longer collects:
renamed or deleted) or ``left out`` (a browser case under ``--no-browser``), then "N of M cases held".
It exits 0 only when every case ran and held.

Options: ``--markdown`` prints the table as Markdown; ``--no-browser`` leaves out the browser cases
(tests/browser, Chromium); anything else goes to pytest (for example ``-x``).
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BROWSER_TESTS = "tests/browser/"


@dataclass(frozen=True)
class Case:
    category: str
    case: str
    tests: tuple[str, ...]

    @property
    def browser(self) -> bool:
        return any(t.startswith(BROWSER_TESTS) for t in self.tests)


def _cases(category: str, *rows: tuple[str, str | tuple[str, ...]]) -> list[Case]:
    return [Case(category, text, (tests,) if isinstance(tests, str) else tuple(tests)) for text, tests in rows]


R = "tests/test_reliability.py::"
BAD = R + "test_bad_article_is_skipped_with_its_reason"
BAD_OVERRIDES = R + "test_bad_overrides_are_named_and_nothing_else_is_lost"
A, B, O, OV = "tests/test_articles.py::", "tests/test_build.py::", "tests/test_outputs.py::", "tests/test_overrides.py::"
RD, D, P = "tests/test_readers.py::", "tests/test_dashboard_data.py::", "tests/test_dashboard_params.py::"
G, APP, TXT = "tests/test_geocoders.py::", "tests/test_dashboard_app.py::", "tests/test_dashboard_text.py::"
CUR, BR = "tests/test_curation_panel.py::", BROWSER_TESTS + "test_dashboard_browser.py::"
FAIL_MODE = G + "test_each_failure_mode_is_reported_retried_when_useful_and_never_cached"

MATRIX: list[Case] = [
    *_cases(
        "bad articles",
        ("an empty file is skipped and named", BAD + "[empty.txt-empty]"),
        ("a file of blanks only is skipped as empty", BAD + "[blank.txt-empty]"),
        ("binary data is skipped as binary", BAD + "[binary.txt-binary]"),
        ("Latin-1 text is named as not UTF-8", BAD + "[latin1.txt-not UTF-8]"),
        ("UTF-16 without a byte-order mark is named as UTF-16, not called binary",
         (BAD + "[utf16-nobom.txt-UTF-16 text without a byte-order mark]",
          A + "test_utf16_without_a_mark_is_named_not_called_binary")),
        ("UTF-16 with a byte-order mark is read", A + "test_utf16_with_a_byte_order_mark_is_read"),
        ("a file over the limit is skipped unread; the limit is stated as 5 MiB",
         (BAD + "[huge.txt-limit is 5 MiB]", A + "test_oversized_file_is_skipped_without_reading_it",
          A + "test_size_limit_is_stated_in_mebibytes")),
        ("a second file with the same id is skipped and named", BAD + "[good.txt-duplicate id 'good']"),
        ("a hidden file is listed as skipped, not passed over",
         (BAD + "[.draft.txt-hidden file]", A + "test_hidden_names_are_listed_as_skipped")),
        ("a hidden folder is listed as skipped", BAD + "[.hidden-folder-hidden folder]"),
        ("a symbolic link out of the folder (to /etc/passwd) is not read; nothing of it reaches the outputs",
         (BAD + "[passwd.txt-outside the articles folder]", A + "test_symlink_out_of_the_folder_is_skipped_with_a_reason",
          R + "test_no_file_outside_the_folder_reaches_the_outputs")),
        ("a symbolic link to a folder is not followed", BAD + "[folder-link-not followed]"),
        ("a dangling symbolic link is skipped as unreadable", BAD + "[dangling.txt-unreadable]"),
        ("an unreadable file is skipped with its reason", A + "test_unreadable_file_is_skipped"),
        ("an unlistable folder is reported, not passed over", A + "test_an_unlistable_folder_is_reported_not_passed_over"),
        ("a missing articles folder is a clear error", A + "test_missing_folder_raises"),
        ("no readable article: an error, and nothing is written", B + "test_no_readable_article_is_an_error_and_writes_nothing"),
        ("a file name that is not valid UTF-8 crashes no build or output and is printed safely",
         (A + "test_file_name_that_is_not_utf8_gets_a_safe_id_and_path",
          O + "test_a_file_name_that_is_not_utf8_does_not_crash_any_output",
          B + "test_skipped_names_that_are_not_utf8_are_printed_safely")),
        (".TXT, CRLF and byte-order-mark files are read; every readable article is built",
         (R + "test_readable_articles_are_all_built", A + "test_upper_case_suffix_is_an_article_for_build_and_dashboard_alike",
          A + "test_byte_order_mark_is_dropped_and_title_is_first_nonblank_line")),
        ("one listing: the dashboard's freshness check watches exactly the files the build reads",
         (R + "test_the_dashboard_watches_exactly_the_files_the_build_reads",
          D + "test_build_reason_tracks_nested_articles_and_the_overrides_file")),
        ("bad files are named and the rest still builds",
         (B + "test_bad_files_are_named_and_the_rest_builds", A + "test_bad_files_are_skipped_with_reasons_and_the_rest_still_read")),
    ),
    *_cases(
        "article formats",
        ("broken, deeply nested and huge HTML pages are skipped with reasons",
         RD + "test_broken_deeply_nested_and_huge_html_are_skipped_with_reasons"),
        ("a feed without items, or a file that is no feed, is skipped; Atom entries are read",
         RD + "test_feeds_without_items_or_not_feeds_are_skipped_and_atom_entries_read"),
        ("a feed holding a file name is not taken for that file", RD + "test_a_feed_file_holding_a_file_name_is_not_taken_for_that_file"),
        ("a CSV export without a text column gives one clear message", RD + "test_csv_without_a_text_column_is_one_clear_message"),
        ("a long CSV cell is read and the csv module's limit is put back", RD + "test_a_long_csv_cell_is_read_and_the_csv_limit_is_put_back"),
        ("bad JSON lines are skipped by line number", RD + "test_jsonl_keys_can_be_mapped_and_bad_lines_are_skipped_by_number"),
        ("the same id in two formats keeps the first and names the second", RD + "test_duplicate_ids_across_formats_keep_the_first_and_name_it"),
        ("a column mapping that is a symbolic link is not followed", RD + "test_a_column_mapping_that_is_a_symbolic_link_is_not_followed"),
        ("bad rows and entries are skipped, metadata problems reported, no article lost",
         RD + "test_bad_parts_are_skipped_and_metadata_problems_reported_without_losing_articles"),
        ("unreadable dates are kept as unknown, never guessed", RD + "test_dates_are_normalised_to_iso_8601_or_unknown"),
        ("only a closed front-matter header counts as one", RD + "test_front_matter_is_optional_and_only_a_closed_header_counts"),
    ),
    *_cases(
        "output faults",
        ("--out that is a file: fails before parsing, names it, claims no previous outputs",
         (R + "test_out_that_is_a_file_fails_before_parsing_and_names_it", B + "test_an_unwritable_out_is_found_before_any_parsing")),
        ("a read-only --out is a clear error, not a traceback", B + "test_unwritable_out_is_a_clear_error_not_a_traceback"),
        ("a full disk: the message mentions previous outputs only when there were some",
         B + "test_a_failed_write_mentions_previous_outputs_only_when_there_were_some"),
        ("an interrupted build leaves the previous outputs whole", B + "test_interrupted_build_leaves_previous_outputs_whole"),
        ("a kill between the renames: the old set is kept, the dashboard refuses the mixed set, temp files are cleaned",
         R + "test_a_killed_build_leaves_the_old_set_and_its_temp_files_are_cleaned"),
        ("the three outputs carry one build_id and follow the one contract",
         (O + "test_every_output_carries_the_same_build_id_and_follows_the_contract",
          R + "test_outputs_follow_the_contract_and_are_one_set")),
        ("the contract catches a mixed set", O + "test_the_contract_catches_a_mixed_set"),
        ("the dashboard refuses a mixed set and keeps showing the last good one",
         D + "test_a_mixed_set_is_refused_and_the_last_good_one_kept"),
        ("a killed build's temp files are removed by the next build", O + "test_a_killed_builds_temp_files_are_removed_by_the_next_build"),
        ("a write that fails midway leaves the old file and no temp file; staged files are all or nothing",
         ("tests/test_atomic.py::test_failure_midway_leaves_old_file_and_no_temp",
          "tests/test_atomic.py::test_staged_files_are_all_or_nothing")),
        ("malformed or missing outputs are a clear error in the dashboard",
         (D + "test_malformed_places_file_is_a_clear_error", D + "test_missing_places_file",
          D + "test_the_reader_checks_the_output_contract")),
        ("broken features are skipped and reported, the rest shown", D + "test_broken_features_are_skipped_and_reported"),
        ("spreadsheet formulas (=, +, -, @) in gazetteer.csv cells are neutralised",
         (O + "test_csv_cells_that_a_spreadsheet_would_run_are_neutralised", R + "test_every_csv_cell_is_formula_safe")),
        ("the dashboard's CSV download neutralises formulas (headlines as column headers) and keeps numbers",
         "tests/test_dashboard_tables.py::test_csv_download_neutralises_formulas_and_keeps_numbers"),
    ),
    *_cases(
        "overrides abuse",
        ("a duplicated column name is a clear error and nothing is applied",
         (BAD_OVERRIDES + "[duplicate-column]", OV + "test_a_duplicated_column_name_is_a_clear_error_and_nothing_is_applied")),
        ("an oversized cell is named as such, not as unbalanced quotes",
         (BAD_OVERRIDES + "[oversized-cell]", OV + "test_an_oversized_cell_is_named_as_such_not_as_unbalanced_quotes")),
        ("unbalanced quotes are named", BAD_OVERRIDES + "[unbalanced-quotes]"),
        ("an unknown action is named", BAD_OVERRIDES + "[unknown-action]"),
        ("coordinates outside the globe are refused", BAD_OVERRIDES + "[coordinates-outside]"),
        ("a formula as a place name from overrides is written safely, and read back as written",
         (R + "test_a_formula_from_overrides_is_written_safely",
          OV + "test_overrides_written_by_the_dashboard_are_formula_safe_and_read_back_as_written")),
        ("bad rows are reported with their line numbers", OV + "test_every_action_parses_and_bad_rows_report_line_numbers"),
        ("an overrides file that is not UTF-8 is a problem, not a crash", OV + "test_missing_file_is_empty_and_non_utf8_is_a_problem"),
        ("unknown place ids and unknown articles are reported",
         (OV + "test_load_with_gazetteer_reports_unknown_ids_at_once", OV + "test_rows_for_unknown_articles_are_reported")),
        ("an append with invalid rows writes nothing; appends are atomic",
         (OV + "test_append_rejects_invalid_rows_and_writes_nothing", OV + "test_append_preserves_existing_bytes_and_is_atomic")),
        ("appending to a file with a non-standard header is refused", OV + "test_append_refuses_nonstandard_header"),
        ("a bad overrides file is reported by the panel and triggers no rebuild",
         CUR + "test_bad_override_file_reports_and_does_not_rebuild"),
        ("an override matches every spelling the gazetteer equates (St. Louis, Saint Louis)",
         OV + "test_an_override_matches_every_spelling_the_gazetteer_equates"),
        ("override problems are reported in file order", B + "test_override_problems_are_reported_in_file_order"),
    ),
    *_cases(
        "URL tampering",
        ("tampered or malformed values are dropped with notices",
         (P + "test_tampered_values_are_dropped_with_notices", P + "test_numbers_out_of_range_or_malformed")),
        ("a tampered link gives notices and the default view (page)",
         (APP + "test_tampered_link_gives_notices_and_default_view", BR + "test_tampered_url_shows_notice_and_default_view")),
        ("999 unknown parameters give one notice; Streamlit's own are not reported",
         (P + "test_many_unknown_parameters_give_one_notice", P + "test_unknown_parameter_is_reported_streamlit_own_is_not")),
        ("very long values are refused with a short notice", P + "test_very_long_values_are_refused_with_a_notice"),
        ("a notice quotes only safe characters", P + "test_notice_quotes_only_safe_characters"),
        ("a tampered bitmap or hash gives a notice (and the page shows it)",
         (P + "test_a_tampered_bitmap_or_hash_gives_a_notice", P + "test_bits_past_the_last_article_must_be_zero",
          BR + "test_a_bitmap_link_opens_its_selection_and_a_tampered_one_gives_a_notice")),
        ("a deflated bitmap cannot expand beyond the corpus", P + "test_a_deflated_bitmap_cannot_expand_beyond_the_corpus"),
        ("a bitmap for another corpus is reported, not applied", P + "test_a_bitmap_for_another_corpus_is_reported_not_applied"),
        ("hidden article ids are validated", P + "test_hidden_ids_are_validated"),
        ("malformed values from the map component change nothing", "tests/test_dashboard_events.py::test_malformed_values_change_nothing"),
    ),
    *_cases(
        "geocoder faults",
        ("HTTP 429: reported, retried, never cached", FAIL_MODE + "[429-rate-limited-True]"),
        ("HTTP 500: reported, retried, never cached", FAIL_MODE + "[500-server-error-True]"),
        ("HTTP 503: reported, retried, never cached", FAIL_MODE + "[503-server-error-True]"),
        ("a hanging service: timeout reported, retried, never cached", FAIL_MODE + "[hang-timeout-True]"),
        ("a malformed answer: reported, never cached", FAIL_MODE + "[malformed-malformed-answer-False]"),
        ("an answer of the wrong shape: reported, never cached", FAIL_MODE + "[wrong-shape-malformed-answer-False]"),
        ("a trickling service (bytes one by one) is bounded by --geocoder-timeout as a total deadline",
         G + "test_a_trickling_service_is_bounded_by_the_timeout_as_a_total_deadline"),
        ("a huge name from a geocoder is refused with a message", G + "test_a_huge_name_from_a_geocoder_is_refused_with_a_message"),
        ("an answer far from the article's other places is refused and reported",
         G + "test_an_answer_far_from_the_articles_places_is_refused_and_reported"),
        ("an unreachable service is given up after consecutive failures",
         G + "test_unreachable_service_gives_up_after_consecutive_failures"),
        ("one failing name stops no other; resolved data is never lost",
         (G + "test_one_failing_name_does_not_stop_the_others", G + "test_already_resolved_data_is_never_lost")),
        ("an unreadable cache, or a folder at the cache path, is reported and left intact",
         (G + "test_unreadable_cache_is_reported_and_set_aside", G + "test_a_folder_at_the_cache_path_is_reported_and_left_where_it_is")),
        ("a broken service during a build: the build finishes and says so",
         G + "test_build_geocodes_once_then_runs_from_cache_and_survives_a_broken_service"),
        ("a bad geocoder configuration is a clear error", G + "test_bad_configuration_raises_clear_error"),
        ("a geocoder cache that cannot be written is kept in the build summary", B + "test_summary_keeps_the_geocoders_problems"),
    ),
    *_cases(
        "concurrent sessions and rebuilds",
        ("rebuild presses while a build runs join it instead of queueing",
         D + "test_rebuild_requests_while_one_runs_join_it_instead_of_queueing"),
        ("a build running in another process is joined, not repeated",
         D + "test_a_build_running_in_another_process_is_joined_not_repeated"),
        ("concurrent visitors keep their own selection; no error in the server log",
         BROWSER_TESTS + "test_sessions_browser.py::test_concurrent_visitors_keep_their_own_selection"),
        ("a click whose report is lost (replaced by another value) is told again until the app answers",
         BROWSER_TESTS + "test_sessions_browser.py::test_a_lost_click_report_is_told_again_until_the_app_answers"),
        ("a failed build is shown clearly, with its own message",
         (APP + "test_failed_build_is_shown_clearly", D + "test_failed_build_returns_the_error_message")),
    ),
    *_cases(
        "editing lock",
        ("editing off: no curation controls, nothing written, no build", CUR + "test_editing_off_shows_no_controls_and_writes_nothing"),
        ("editing off: the writers themselves refuse", CUR + "test_writers_refuse_when_editing_is_off"),
        ("the evidence is shown to all, the fixes only when editing is on",
         APP + "test_wrong_place_shows_the_evidence_to_all_and_the_fixes_only_when_editing_is_on"),
        ("editing = \"false\" in the secrets is off", APP + "test_editing_secret_false_keeps_the_fixes_away"),
        ("\"Rebuild map data\" is offered only when editing is on", APP + "test_rebuild_button_only_when_editing_is_on"),
        ("an invalid setting is a notice and its default applies; a secret is never quoted",
         (APP + "test_an_invalid_setting_is_a_notice_and_its_default_applies",
          "tests/test_settings.py::test_a_secret_is_never_quoted_in_a_message")),
    ),
    *_cases(
        "hostile markup",
        ("HTML in an article is kept as text in the outputs", B + "test_hostile_html_is_kept_as_text_in_outputs"),
        ("highlighted text is escaped, markup inside a mention too",
         (TXT + "test_highlight_escapes_text_and_marks_spans", TXT + "test_markup_inside_a_mention_is_escaped_too")),
        ("markdown (links, images, colours) in labels is shown literally",
         (TXT + "test_md_escape_neutralises_markdown", CUR + "test_article_spellings_and_labels_are_shown_literally_not_as_markdown")),
        ("www. addresses, URLs and e-mail addresses in labels do not become links; LaTeX is not typeset",
         TXT + "test_addresses_and_latex_in_labels_stay_plain_text"),
        ("paths in dashboard errors show without stray backslashes", TXT + "test_code_spans_show_paths_without_stray_backslashes"),
        ("JSON handed to the map's script cannot close the script", "tests/test_dashboard_mapview.py::test_js_json_cannot_close_a_script"),
        ("article markup is plain text everywhere in the browser; nothing runs", BR + "test_article_markup_is_plain_text_everywhere"),
    ),
    *_cases(
        "long input",
        ("a long article costs linearly: distance computations grow with the names, not their square",
         "tests/test_resolve.py::test_resolver_cost_is_linear_in_the_mentions"),
        ("a one-line article of megabytes gets a short headline", A + "test_a_one_line_article_gets_a_bounded_headline"),
        ("an endless sentence gives a bounded passage", "tests/test_passages.py::test_endless_sentence_gives_a_bounded_window"),
        ("abbreviations (Mr., U.S.) do not cut a passage's sentence", "tests/test_passages.py::test_abbreviations_do_not_cut_a_sentence"),
    ),
]


def node_matches(nodeid: str, test: str) -> bool:
    """A collected ``nodeid`` is the table's ``test``: the same id, or one parameter set of it."""
    return nodeid == test or ("[" not in test and nodeid.startswith(test + "["))


# -- results ---------------------------------------------------------------------------------------
def _nodeid(classname: str, name: str, collected: set[str]) -> str:
    """The node id of a JUnit test case: classname ``tests.browser.test_x`` (plus a test class, if any)."""
    parts = classname.split(".")
    for cut in range(len(parts), 0, -1):
        nodeid = "::".join(["/".join(parts[:cut]) + ".py", *parts[cut:], name])
        if nodeid in collected:
            return nodeid
    return "/".join(parts) + ".py::" + name


def read_junit(path: Path, collected: set[str] = frozenset()) -> dict[str, str]:
    """Node id -> passed / failed / skipped, from a pytest ``--junitxml`` file."""
    outcomes: dict[str, str] = {}
    collected = set(collected)
    for case in ET.parse(path).getroot().iter("testcase"):
        nodeid = _nodeid(case.get("classname", ""), case.get("name", ""), collected)
        tags = {child.tag for child in case}
        outcome = "failed" if tags & {"failure", "error"} else "skipped" if "skipped" in tags else "passed"
        if outcomes.get(nodeid) != "failed":  # an error in teardown after a pass still fails it
            outcomes[nodeid] = outcome
    return outcomes


def _test_outcome(test: str, outcomes: dict[str, str], collected: set[str] | None) -> str:
    found = [o for nodeid, o in outcomes.items() if node_matches(nodeid, test)]
    if not found:
        listed = collected is None or any(node_matches(nodeid, test) for nodeid in collected)
        return "not run" if listed else "missing"
    for worst in ("failed", "skipped"):
        if worst in found:
            return worst
    return "passed"


def case_outcome(case: Case, outcomes: dict[str, str], collected: set[str] | None,
                 browser: bool = True) -> str:
    """One case's result: the worst of its tests' (missing, failed, skipped, not run, passed)."""
    if case.browser and not browser:
        return "left out"
    found = [_test_outcome(t, outcomes, collected) for t in case.tests]
    for worst in ("missing", "failed", "skipped", "not run"):
        if worst in found:
            return worst
    return "passed"


def extra_reliability(outcomes: dict[str, str], reliability: list[str]) -> list[Case]:
    """Tests marked ``reliability`` that no case of the table names: shown as cases of their own."""
    named = [t for case in MATRIX for t in case.tests]
    return [Case("marked reliability, not in the table", nodeid.split("::", 1)[-1], (nodeid,))
            for nodeid in reliability if not any(node_matches(nodeid, t) for t in named)]


# -- the table -------------------------------------------------------------------------------------
def _short(test: str) -> str:
    return test.removeprefix("tests/")


def render(rows: list[tuple[Case, str]], markdown: bool = False) -> str:
    """The table: category | case | test(s) | result, then the totals line."""
    if markdown:
        lines = ["| category | case | test | result |", "|---|---|---|---|"]
        for case, outcome in rows:
            tests = "<br>".join(f"`{_short(t)}`" for t in case.tests)
            lines.append(f"| {case.category} | {case.case.replace('|', '/')} | {tests} | {outcome} |")
    else:
        width = max((len(case.category) for case, _ in rows), default=0)
        lines = []
        for case, outcome in rows:
            lines.append(f"{case.category:<{width}} | {outcome:<8} | {case.case}")
            lines.extend(f"{'':<{width}} | {'':<8} |   {_short(t)}" for t in case.tests)
    lines.append("")
    lines.append(totals(rows))
    return "\n".join(lines)


def totals(rows: list[tuple[Case, str]]) -> str:
    counted = [outcome for _, outcome in rows if outcome != "left out"]
    held = counted.count("passed")
    others = {o: counted.count(o) for o in ("failed", "skipped", "missing", "not run") if counted.count(o)}
    left_out = len(rows) - len(counted)
    line = f"{held} of {len(counted)} cases held"
    if others:
        line += " (" + ", ".join(f"{n} {o}" for o, n in others.items()) + ")"
    if left_out:
        line += f"; {left_out} browser cases left out (--no-browser)"
    return line


# -- the command -----------------------------------------------------------------------------------
def _run_pytest(junit: Path, report: Path, browser: bool, extra: list[str]) -> int:
    command = [sys.executable, "-m", "pytest", "-p", "geodata.checkplugin", f"--matrix-report={report}",
               f"--junitxml={junit}", "--continue-on-collection-errors", "-q", "-p", "no:cacheprovider", "tests"]
    if not browser:
        command.append("--ignore=" + BROWSER_TESTS.rstrip("/"))
    return subprocess.call(command + extra, cwd=REPO)


def run(browser: bool = True, extra: list[str] | None = None) -> tuple[list[tuple[Case, str]], int]:
    """Run the matrix with pytest; every case with its result, and pytest's exit code."""
    with tempfile.TemporaryDirectory(prefix="atlas-check-") as tmp:
        junit, report = Path(tmp) / "junit.xml", Path(tmp) / "collected.json"
        code = _run_pytest(junit, report, browser, list(extra or []))
        if not report.is_file():
            return [(case, "not run") for case in MATRIX], code or 1
        collected = json.loads(report.read_text(encoding="utf-8"))
        names = set(collected["collected"])
        outcomes = read_junit(junit, names) if junit.is_file() else {}
    cases = MATRIX + extra_reliability(outcomes, collected["reliability"])
    return [(case, case_outcome(case, outcomes, names, browser)) for case in cases], code


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    markdown, browser = "--markdown" in argv, "--no-browser" not in argv
    extra = [a for a in argv if a not in ("--markdown", "--no-browser")]
    rows, code = run(browser, extra)
    print()
    print(render(rows, markdown))
    if not browser:
        print("Browser cases left out (--no-browser): run without it for the whole matrix.")
    held = all(outcome in ("passed", "left out") for _, outcome in rows)
    return 0 if held and code in (0, 5) else 1


if __name__ == "__main__":
    sys.exit(main())
