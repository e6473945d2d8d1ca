"""The Articles view's "Add articles" form (only when the operator turns uploads on: ATLAS_UPLOADS).

Files dropped here, or a text pasted with its title, go through ``dashboard.uploads`` (checked, saved
into the articles folder); the page then rebuilds the map data as for any new article (the build's
progress bar) and shows the new articles. What happened to each file stays above the form until the next
upload; every name and reason is shown as text, never as markup.
"""
from __future__ import annotations

import streamlit as st

from dashboard import uploads, warmbuild
from dashboard.state import PASTE_TEXT_KEY, PASTE_TITLE_KEY, UPLOAD_KEY, ViewState
from dashboard.text import md_code, md_escape

MAX_MIB = uploads.MAX_ARTICLE_BYTES // uploads.MIB


def _submit(cfg, vs: ViewState, upload_key: str, title_key: str, text_key: str) -> None:
    ss = st.session_state
    files = [(f.name, f.getvalue()) for f in (ss.get(upload_key) or [])]
    title, text = ss.get(title_key) or "", ss.get(text_key) or ""
    pasted = (title, text) if (title.strip() or text.strip()) else None
    if not files and pasted is None:
        vs.upload_report = [uploads.Outcome("", reason="nothing to add: drop files or paste a text first")]
        return
    vs.upload_report = uploads.add(cfg.articles_dir, files, pasted)
    vs.upload_gen += 1  # an empty form again


def upload_report(vs: ViewState) -> None:
    """The last upload's outcome, one line per file."""
    if not vs.upload_report:
        return
    with st.container(key="atlas_upload_report"):
        for o in vs.upload_report:
            name = md_code(o.name) + " " if o.name else ""
            if o.ok:
                saved = f"added as {md_code(o.saved)}" + (f" ({md_escape(o.reason)})" if o.reason else "")
                st.success(f"{name}{saved}", icon=":material/check_circle:")
            else:
                st.error(f"{name}refused: {md_escape(o.reason)}", icon=":material/block:")
        st.button("Dismiss", key="upload_dismiss", on_click=lambda: setattr(vs, "upload_report", []))


def add_articles(cfg, vs: ViewState) -> None:
    warmbuild.WORKER.prestart()  # the rebuild after an upload finds spaCy loaded
    gen = vs.upload_gen
    upload_key, title_key, text_key = f"{UPLOAD_KEY}_{gen}", f"{PASTE_TITLE_KEY}_{gen}", f"{PASTE_TEXT_KEY}_{gen}"
    with st.expander("Add articles", icon=":material/upload_file:"):
        st.caption(f"Files of {', '.join(uploads.UPLOAD_SUFFIXES)} (up to {MAX_MIB} MiB each), or a pasted text. "
                   "They are saved in the articles folder and the map is rebuilt.")
        files = st.file_uploader("Article files", accept_multiple_files=True, key=upload_key) or []
        st.text_input("Or paste a text: its title", key=title_key, max_chars=uploads.MAX_TITLE)
        st.text_area("The text", key=text_key, height=120)
        # the label counts the files the server has received (a file still uploading is not counted yet)
        label = f"Add {len(files)} file{'' if len(files) == 1 else 's'} to the map" if files else "Add to the map"
        st.button(label, key=f"upload_submit_{gen}", type="primary",
                  on_click=_submit, args=(cfg, vs, upload_key, title_key, text_key))
