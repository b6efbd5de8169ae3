"""Granary's entrypoint: the router and frame around every page.

Page config, the language switch, sign-in (before anything reads the CRM), the connection, the
viewer the signed-in user is entitled to be, the global filter bar (whose state is mirrored in
the URL), then the pages this viewer's role is granted. Nothing else.
"""

from __future__ import annotations

import streamlit as st

from data_layer.access import access_files
from data_layer.connection import resolve_source
from metrics.base import shared_statements
from ui import auth, cache, filterbar, session
from ui.format import md_escape
from ui.i18n import t

st.set_page_config(page_title="Granary", page_icon=":material/grain:", layout="wide", initial_sidebar_state="auto")
first_run_since_start = session.pages_folder_mode()

filterbar.init_language()
wall = filterbar.wall_mode()  # a screen on a wall: the page alone, its filters from the link
if not wall:
    with st.sidebar:
        st.markdown(f"#### :material/grain: {t('app.title')}")
        st.caption(t("app.tagline"))
        filterbar.language_switch()

# Who is this? Nothing below runs — no query, no figure — until someone has signed in.
access, source = auth.access_or_stop(), resolve_source()
users_path, ent_path = access_files(access, is_demo=source.is_demo)
audit = auth.audit_or_stop(source.url)
users = None if auth.oidc_configured() else auth.users_or_stop(users_path)
ent = auth.entitlements_or_stop(ent_path)
identity = auth.sign_in_gate(users=users, audit=audit, settings=access, entitlements=ent)
if ent.get(identity.user) is None:
    auth.not_entitled(identity, audit)

boot = session.bootstrap()
session.check_entitlements_or_stop(ent, boot)
viewer = session.sign_in(identity, ent, boot.org)

options = cache.options(boot.engine, boot.org, boot.key, viewer)
choices = filterbar.choices_for(boot.org, viewer, options)
filterbar.apply_url(choices, boot.as_of, boot.settings.calendar)

if wall:
    selection = filterbar.url_selection(choices, boot.as_of, boot.settings.calendar)
else:
    with st.sidebar:
        st.subheader(t("filters.title"), divider="gray")
        selection = filterbar.filter_bar(boot.org, options, choices, boot.as_of, boot.settings.calendar)
        st.divider()
        st.caption(t("viewer.signed_in_as", name=md_escape(viewer.display_name or viewer.user)))
        st.caption(t("source.label", source=md_escape(boot.source_label)))
        auth.sign_out_button()

filterbar.write_url(selection)
filterbar.show_notices()
if not boot.as_of_known:
    st.info(t("boot.no_records"))

flt = filterbar.to_filters(selection, boot.as_of, boot.settings.calendar)
with session.page_run(viewer, ent, boot, flt) as pages:
    nav: dict[str, list[st.Page]] = {}
    for page in pages:
        nav.setdefault(t(page.section), []).append(st.Page(page.path, title=t(page.title), icon=page.icon, url_path=page.key))
    page = st.navigation(nav, position="hidden" if wall else "sidebar", expanded=True)  # collapsed, Streamlit adds "View N more", in English only
    if first_run_since_start:
        st.rerun()  # widget ids settle once navigation exists (ui.session.pages_folder_mode)
    session.open_wanted_page(page, auth.take_wanted_page())
    with shared_statements():  # a statement several metrics of this render share runs once
        page.run()
