"""Granary's entrypoint: the router and frame around every page.

Page config, the connection, the viewer, the language switch and the global filter bar (whose
state is mirrored in the URL), then the pages this viewer is granted. Nothing else.
"""

from __future__ import annotations

import streamlit as st

from ui import cache, filterbar, session
from ui.format import md_escape
from ui.i18n import t

st.set_page_config(page_title="Granary", page_icon=":material/grain:", layout="wide", initial_sidebar_state="auto")
first_run_since_start = session.pages_folder_mode()

filterbar.init_language()
boot = session.bootstrap()
viewer = session.sign_in()

options = cache.options(boot.engine, boot.org, boot.key, viewer)
choices = filterbar.choices_for(boot.org, viewer, options)
filterbar.apply_url(choices, boot.as_of, boot.settings.calendar)

with st.sidebar:
    st.markdown(f"#### :material/grain: {t('app.title')}")
    st.caption(t("app.tagline"))
    filterbar.language_switch()
    st.subheader(t("filters.title"), divider="gray")
    selection = filterbar.filter_bar(boot.org, options, choices, boot.as_of, boot.settings.calendar)
    st.divider()
    st.caption(t("viewer.signed_in_as", name=md_escape(viewer.display_name or viewer.user)))
    st.caption(t("source.label", source=md_escape(boot.source_label)))

filterbar.write_url(selection)
filterbar.show_notices()
if not boot.as_of_known:
    st.info(t("boot.no_records"))

flt = filterbar.to_filters(selection, boot.as_of, boot.settings.calendar)
with session.page_run(viewer, boot, flt) as pages:
    nav: dict[str, list[st.Page]] = {}
    for page in pages:
        nav.setdefault(t(page.section), []).append(st.Page(page.path, title=t(page.title), icon=page.icon, url_path=page.key))
    page = st.navigation(nav)
    if first_run_since_start:
        st.rerun()  # widget ids settle once navigation exists (ui.session.pages_folder_mode)
    page.run()
