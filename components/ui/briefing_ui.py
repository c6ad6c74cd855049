"""The Briefing page's pieces: presenter controls, a step's views, the editor, the report."""

from __future__ import annotations

import dataclasses

import streamlit as st

from components import (basis, briefing, datastore, evidence, exports, grades, palette,
                        profiles, views)
from components.wording import agreeing, numbered
from components.ui import (cards, compare_ui, data_access, evidence_ui, export_ui, flows_panel,
                           panels, screen, writers)
from components.ui.context import PageContext, context_for, context_key

DRAFT = "briefing_draft"  # the steps being edited, until saved or discarded
ALL_CHECKED = "briefing-all-checked"  # the save marks every step as checked against the data
EVIDENCE_LABEL_CHARS = 60
CHOSEN = "briefing-file"  # which of the folder's briefings is shown (and in the address)


def _draft() -> str:
    """The session-state key of the chosen briefing's draft: each briefing edits apart."""
    return f"{DRAFT}:{st.session_state.get(CHOSEN) or briefing.MAIN}"


def controls_row():
    """The row at the top of the presenter's page: the briefing chosen, then the steps'
    controls (one row, so a projector's height goes to the step)."""
    return st.container(horizontal=True, vertical_alignment="center", key="briefing-controls")


def choose_briefing(ctx: PageContext, row) -> tuple[str, "pd.DataFrame"]:
    """The briefing to show: a choice among the folder's briefings (briefing.csv and each
    briefing-<name>.csv), in `row`, and its steps, checked like briefing.csv."""
    folder = data_access.active_folder()
    listed = briefing.named_briefings(folder)
    if len(listed) > 1:
        chosen = row.selectbox("Briefing", list(listed), format_func=listed.get, key=CHOSEN,
                               bind="query-params", label_visibility="collapsed", width=280,
                               help="Each briefing is a file of its own in the data folder "
                               "(briefing.csv, briefing-<name>.csv), with its own history.")
    else:
        chosen = next(iter(listed), briefing.MAIN)
        st.session_state[CHOSEN] = chosen
    if chosen == briefing.MAIN:
        return chosen, ctx.dataset.briefing
    frame, problems = _named_steps(str(folder), chosen, ctx.fingerprint,
                                   (folder / chosen).stat().st_mtime_ns, ctx.dataset)
    if problems:
        st.caption(f":material/warning: {chosen}: " + "; ".join(
            p.sentence() for p in problems[:3]) + (" …" if len(problems) > 3 else ""))
    return chosen, frame


@st.cache_data(max_entries=16, show_spinner=False)
def _named_steps(folder: str, filename: str, version: str, modified: int, _dataset):
    # keyed on the data's version and the file's modification time (the dataset is that
    # version's, so it is not hashed)
    from components import loader

    return loader.load_briefing_file(folder, filename, _dataset)


def presenter_styles() -> None:
    # our own style sheet (no data in it): large type for a projector
    st.html(
        """<style>
        .st-key-briefing-narrative p, .st-key-briefing-narrative li {
            font-size: clamp(1.05rem, 1.25vw, 1.5rem); line-height: 1.45;}
        .st-key-briefing-title h1 {font-size: clamp(1.7rem, 2.3vw, 2.8rem); line-height: 1.15;
            padding-top: 0.2rem;}
        .st-key-briefing-controls p {font-size: 1.1rem; margin: 0;}
        </style>"""
    )


def draft_steps(briefing_frame) -> list[dict]:
    if _draft() in st.session_state:
        return st.session_state[_draft()]
    return briefing.steps(briefing_frame)


def step_from_url(total: int) -> int:
    try:
        number = int(st.query_params.get("step", "1"))
    except ValueError:
        number = 1
    number = min(max(number, 1), total)
    st.query_params["step"] = str(number)
    return number


def _go(number: int) -> None:
    st.query_params["step"] = str(number)


def presenter_controls(number: int, total: int, row) -> None:
    row.button("Previous", icon=":material/arrow_back:", on_click=_go, args=(number - 1,),
               disabled=number <= 1, shortcut="Left", key="briefing-prev",
               help="Previous step (left arrow key)")
    row.markdown(f"Step **{number}** of **{total}**")
    row.button("Next", icon=":material/arrow_forward:", on_click=_go, args=(number + 1,),
               disabled=number >= total, shortcut="Right", key="briefing-next", type="primary",
               help="Next step (right arrow key)")
    row.progress(number / total)


def step_context(ctx: PageContext, step: dict) -> PageContext:
    """The step's own filters, read with the sidebar's grade and date rule: a presenter can show
    a story on its best-graded records only, or only what certainly falls in each step's
    dates."""
    folder, fingerprint, _ = context_key(ctx)
    filters = dataclasses.replace(briefing.step_filters(step),
                                  min_reliability=ctx.filters.min_reliability,
                                  min_credibility=ctx.filters.min_credibility,
                                  date_rule=ctx.filters.date_rule)
    return context_for(folder, fingerprint, filters)


WORDS_AND_PICTURES = [2, 3]  # a step's columns: its words, then its map and charts
MAP_BESIDE_TIMELINE_PX = 220  # with the timeline under it, words, map and timeline fit 1280x720


def timeline_height(step_ctx: PageContext, under_map: bool) -> int | None:
    """Under the map, a timeline short enough for words, map and timeline to fit 1280x720,
    while its lanes (event categories) stay readable: past four lanes it takes the room it
    needs and the page scrolls."""
    events = step_ctx.events
    dated = events[events["span_start"].notna()] if "span_start" in events else events
    lanes = dated["event_type"].map(palette.event_category).nunique()
    return 258 if under_map and lanes <= 4 else None


def show_step(ctx: PageContext, step: dict, number: int, total: int,
              check: basis.BriefingCheck | None = None) -> None:
    with st.container(key="briefing-title"):
        st.title(step["title"])
    if check is not None:
        evidence_ui.data_warning(check, step, number - 1)
    step_ctx = step_context(ctx, step)
    chosen = briefing.step_views(step)
    if ctx.filters.min_reliability or ctx.filters.min_credibility:
        st.caption("Only records graded " + grades.at_least_text(
            ctx.filters.min_reliability, ctx.filters.min_credibility)
            + " are shown, as the sidebar asks.")
    if step_ctx.filters.certain_dates:
        st.caption("Only records certainly within the step's dates are shown, as the "
                   "sidebar's date rule asks.")
    words, pictures = st.columns(WORDS_AND_PICTURES, gap="large")
    pictures_px = screen.column_px(WORDS_AND_PICTURES, 1, "large", screen.MAIN_FOLDED_PX)
    with words:
        with st.container(key="briefing-narrative"):
            # the narrative is the presenter's markdown; Streamlit does not render HTML in it
            st.markdown(step["narrative"] or "")
        evidence_links(ctx, step)
    # On a 1280x720 projector the words, the map and the timeline fit on one screen: the
    # timeline sits under the map beside the words, the network (when asked for too) below.
    with pictures:
        if "compare" in chosen:  # the step's two windows (its compare_* columns)
            compare_ui.step_view(step_ctx, step, number)
        if "map" in chosen:
            height = MAP_BESIDE_TIMELINE_PX if "timeline" in chosen else 460
            panels.map_panel(step_ctx, height=height, key=f"briefing-map-{number}",
                             controls=False, width_px=pictures_px,
                             view=briefing.view_for_height(briefing.step_map_view(step), height),
                             extras=False)
        if "timeline" in chosen:
            panels.timeline_panel(step_ctx, height=timeline_height(step_ctx, "map" in chosen),
                                  width_px=pictures_px,
                                  key=f"briefing-timeline-{number}", controls=False,
                                  monthly=False, presenting=True)
        if "network" in chosen and "map" not in chosen:
            panels.network_panel(step_ctx, height=560, key=f"briefing-network-{number}",
                                 controls=False, width_px=700, presenting=True)
    if "network" in chosen and "map" in chosen:
        panels.network_panel(step_ctx, height=560, key=f"briefing-network-{number}",
                             controls=False, width_px=1100, presenting=True)
    if "flows" in chosen:
        flows_panel.flows_panel(step_ctx, height=520, key=f"briefing-flows-{number}",
                                controls=False, presenting=True, width_px=1100)


def evidence_links(ctx: PageContext, step: dict) -> None:
    evidence = step.get("evidence") or ()
    if not evidence:
        return
    dataset = ctx.dataset
    events = dataset.event_rows(evidence).set_index("event_id")
    relations = set(dataset.relations["relation_id"].tolist())
    claims = set(dataset.claims["claim_id"].tolist()) if len(dataset.claims) else set()
    st.caption("What this step rests on:")
    for ident in evidence:
        if ident not in events.index and ident not in relations and ident not in claims:
            st.caption(f":material/link_off: '{cards.escape(ident)}' is no event, relation or "
                       "claim in the data (the Data page's validation report names it).")
            continue
        if ident in events.index:
            # what happened, not only its type and place; one line in the words' column at
            # 1280x720, as the claims below; whole on hover
            label = profiles.event_summary(events.loc[ident])
            shown = views.short_text(label, EVIDENCE_LABEL_CHARS)
            st.page_link("app_pages/event.py", label=shown, help=label if shown != label else None,
                         query_params={"event": ident}, icon=":material/event:")
        elif ident in relations:
            grade = profiles.claim_subject_grade(dataset, "relation", ident)
            st.markdown(f":material/hub: "
                        f"{cards.escape(profiles.relation_sentence(dataset, ident))} "
                        f"· {cards.escape(profiles.relation_status(dataset, ident))}, "
                        f"grade {cards.escape(grade)}")
        else:
            claim = dataset.claims.set_index("claim_id").loc[ident]
            who = profiles.claimant_names(dataset).get(claim["claimant"], claim["claimant"])
            st.page_link("app_pages/claims.py",
                         # one line in the words' column at 1280x720: cut with an ellipsis,
                         # not by the column's edge
                         label=views.short_text(f"{who} {claim['stance']}: {claim['statement']}",
                                                EVIDENCE_LABEL_CHARS),
                         icon=":material/gavel:", query_params={"claims_q": claim["subject"][:40]})


# --------------------------------------------------------------------------------------------
# The report of the whole briefing


def report_events(events) -> "pd.DataFrame":
    """The step's events for an audience: headers in words, no ids."""
    return views.event_list(events, full_text=True).drop(columns=["event page"])


def evidence_table(dataset, step: dict) -> "pd.DataFrame":
    """The events, relations and claims a step rests on, in words (profiles.evidence_rows)."""
    return profiles.evidence_rows(dataset, step.get("evidence") or ())


def briefing_exports(ctx: PageContext, steps: list[dict]) -> None:
    with st.expander("Export the briefing", icon=":material/download:"):
        export_ui.report_button(ctx, lambda: briefing_sections(ctx, steps), "ProxyLens briefing",
                                "the whole briefing", key="report-briefing")
        export_ui.pack_download(
            ctx, lambda: briefing_pack_parts(ctx, steps),
            lambda: export_ui.report_text(ctx, lambda: briefing_sections(ctx, steps),
                                          "ProxyLens briefing", "the whole briefing"),
            "Briefing", key="pack-briefing", scope="briefing",
            briefing_file=st.session_state.get(CHOSEN) or briefing.MAIN)
        st.download_button("Steps as CSV (briefing.csv)", briefing.to_csv_text(steps),
                           file_name="briefing.csv", mime="text/csv", on_click="ignore",
                           key="briefing-csv", icon=":material/table:")


def briefing_pack_parts(ctx: PageContext, steps: list[dict]) -> list:
    """Each step's view, for the briefing's evidence pack (its tables are their union, each
    row saying which steps it belongs to)."""
    return [export_ui.pack_part(step_context(ctx, step), f"Step {index}: {step['title']}",
                                step=str(index), title=step["title"],
                                evidence=tuple(step.get("evidence") or ()))
            for index, step in enumerate(steps, start=1)]


def briefing_sections(ctx: PageContext, steps: list[dict]) -> list[dict]:
    sections = []
    for index, step in enumerate(steps, start=1):
        step_ctx = step_context(ctx, step)
        chosen = briefing.step_views(step)
        charts = []
        if "map" in chosen:
            places = step_ctx.selection.map_places()
            if not places.empty:
                arcs = step_ctx.selection.map_arcs()
                view = briefing.step_map_view(step) or views.map_view_bounds(places, 1000, 640, arcs)
                places["label"] = views.label_places(places, view)
                charts.append(exports.map_svg(exports.static_map_spec(
                    places, arcs, view, ctx.dataset.boundaries, "event category")))
        folder, fingerprint, filters = context_key(step_ctx)
        if "compare" in chosen:  # the relations gained, lost and kept between its windows
            charts += [exports.chart_svg(s) for s in compare_ui.step_specs(step_ctx, step)]
        if "network" in chosen and not step_ctx.relations.empty:
            charts.append(exports.chart_svg(panels.network_spec(folder, fingerprint, filters,
                                                                 "degree", 1000, 700)[0]))
        if "flows" in chosen:
            support = flows_panel.flows_for_report(step_ctx)
            charts += [support] if support is not None else []
        if "timeline" in chosen and step_ctx.selection.facts["dated"]:
            charts.append(exports.chart_svg(panels.timeline_spec(
                folder, fingerprint, filters, "event category", panels.time_domain(step_ctx),
                None, instructions=False)))
        sections.append({"heading": f"Step {index}: {step['title']}",
                         "narrative": step["narrative"], "charts": charts,
                         "tables": {"Events in this step": report_events(step_ctx.events),
                                    "What this step rests on": evidence_table(ctx.dataset, step)}})
    return sections


# --------------------------------------------------------------------------------------------
# The editor


def _set_draft(steps: list[dict]) -> None:
    st.session_state[_draft()] = briefing.renumber(steps)


def _add_current_view(ctx_filters, steps: list[dict]) -> None:
    title = st.session_state.get("new-step-title", "").strip() or f"Step {len(steps) + 1}"
    narrative = st.session_state.get("new-step-narrative", "")
    chosen = tuple(st.session_state.get("new-step-views") or briefing.VIEWS)
    step = briefing.step_from_filters(len(steps) + 1, title, narrative, ctx_filters, chosen)
    if "compare" in chosen:  # the windows chosen under the views
        step.update(compare_ui.step_window_columns("new-step"))
    _set_draft(steps + [step])
    st.session_state["new-step-title"] = ""
    st.session_state["new-step-narrative"] = ""


def _move(steps: list[dict], index: int, offset: int) -> None:
    _set_draft(briefing.move(steps, index, offset))


def _delete(steps: list[dict], index: int) -> None:
    _set_draft(steps[:index] + steps[index + 1:])


def _update(steps: list[dict], index: int) -> None:
    changed = dict(steps[index])
    changed["title"] = st.session_state.get(f"edit-title-{index}", "").strip() or changed["title"]
    changed["narrative"] = st.session_state.get(f"edit-narrative-{index}", changed["narrative"])
    changed["views"] = tuple(st.session_state.get(f"edit-views-{index}") or briefing.VIEWS)
    if "compare" in changed["views"]:
        changed.update(compare_ui.step_window_columns(f"edit-{index}"))
    _set_draft(steps[:index] + [changed] + steps[index + 1:])


def _discard() -> None:
    st.session_state.pop(_draft(), None)


def _save(steps: list[dict], filename: str | None = None) -> None:
    """Save the steps to the chosen briefing's file, or (`filename`) as a new briefing."""
    folder = data_access.active_folder()
    if not writers.can_write() or datastore.write_problem(folder):
        return
    target = filename or st.session_state.get(CHOSEN) or briefing.MAIN
    result = data_access.current_result()
    version = evidence.data_version(result.files)
    # a step keeps the version it was checked against unless it was added or edited in this
    # draft, or the person saving says every step was checked against the current data
    steps = briefing.stamped(steps, _saved_steps(folder, result.dataset), version,
                             all_checked=bool(st.session_state.get(ALL_CHECKED)))
    with basis.saving(folder):
        try:  # what each step rests on, kept first: a briefing never records a version it lacks
            basis.keep(folder, result.dataset,
                       [s for s in steps if s["data_version"] == version], version)
        except OSError:
            pass  # the page will say the basis was not kept, should the data change
        path = briefing.save(steps, folder, target)
        try:  # the bases no saved briefing of the folder refers to any more
            basis.prune(folder, result.dataset)
        except OSError:
            pass
    st.session_state.pop(_draft(), None)
    st.session_state["briefing-saved"] = str(path)
    st.session_state["briefing-saved-steps"] = [
        index + 1 for index, s in enumerate(steps) if s["data_version"] != version]
    if filename:
        st.session_state[CHOSEN] = filename


def _saved_steps(folder, dataset) -> list[dict]:
    """The steps of the chosen briefing as saved (what the draft was made from)."""
    chosen = st.session_state.get(CHOSEN) or briefing.MAIN
    if chosen == briefing.MAIN:
        return briefing.steps(dataset.briefing)
    if not (folder / chosen).exists():
        return []
    from components import loader

    return briefing.steps(loader.load_briefing_file(folder, chosen, dataset)[0])


def _save_as_new(steps: list[dict]) -> None:
    name = st.session_state.get("new-briefing-name", "").strip()
    filename = briefing.file_for_name(name)
    if filename == briefing.MAIN or (data_access.active_folder() / filename).exists():
        st.session_state["new-briefing-refused"] = (
            f"A briefing needs a name of its own: '{name}' is taken or has no letters or "
            "digits." if name else "Give the new briefing a name first.")
        return
    _save(steps, filename)


def editor(ctx: PageContext, steps: list[dict]) -> None:
    editing = _draft() in st.session_state
    with st.expander("Build or edit the briefing", icon=":material/edit:", expanded=editing):
        saved = st.session_state.pop("briefing-saved", None)
        unchecked = st.session_state.pop("briefing-saved-steps", [])
        if saved:
            st.success(f"Saved to {saved}; the previous version is kept in the data folder's "
                       "history (the Data page lists it and can put it back)."
                       + (f" {numbered('Step', unchecked)}, not edited, "
                          f"{agreeing(len(unchecked), 'keeps', 'keep')} the data version "
                          f"{agreeing(len(unchecked), 'it was', 'they were')} saved against, so "
                          f"{agreeing(len(unchecked), 'it still says', 'they still say')} what "
                          "changed since." if unchecked else ""))
        st.markdown("**Add the current view as a step.** The view is every filter in the "
                    "sidebar: dates, actors, places, types, claim status, grade and text.")
        chips = export_ui.filter_lines(ctx)
        st.caption("Current view: " + ("; ".join(chips) if chips else "no filters (everything)"))
        st.text_input("Title", key="new-step-title")
        st.text_area("Narrative (markdown)", key="new-step-narrative", height=100)
        st.multiselect("Views", list(briefing.ALL_VIEWS), default=list(briefing.VIEWS),
                       key="new-step-views")
        if "compare" in (st.session_state.get("new-step-views") or ()):
            compare_ui.step_window_inputs(ctx, "new-step")
        st.button("Add as the last step", on_click=_add_current_view, args=(ctx.filters, steps),
                  icon=":material/add:", key="briefing-add")
        if steps:
            st.markdown("**Steps**")
        for index, step in enumerate(steps):
            row = st.container(horizontal=True, vertical_alignment="center")
            row.markdown(f"{index + 1}. {cards.escape(step['title'])}")
            row.button("Up", key=f"up-{index}", on_click=_move, args=(steps, index, -1),
                       disabled=index == 0, icon=":material/arrow_upward:")
            row.button("Down", key=f"down-{index}", on_click=_move, args=(steps, index, 1),
                       disabled=index == len(steps) - 1, icon=":material/arrow_downward:")
            row.button("Remove", key=f"remove-{index}", on_click=_delete, args=(steps, index),
                       icon=":material/delete:")
            with st.popover(f"Edit step {index + 1}", icon=":material/edit:"):
                st.text_input("Title", value=step["title"], key=f"edit-title-{index}")
                st.text_area("Narrative (markdown)", value=step["narrative"], height=160,
                             key=f"edit-narrative-{index}")
                st.multiselect("Views", list(briefing.ALL_VIEWS), key=f"edit-views-{index}",
                               default=list(briefing.step_views(step)))
                if "compare" in (st.session_state.get(f"edit-views-{index}")
                                 or briefing.step_views(step)):
                    compare_ui.step_window_inputs(ctx, f"edit-{index}", step)
                st.button("Update the step", on_click=_update, args=(steps, index),
                          key=f"update-{index}", type="primary")
        if editing:
            writing = writers.sign_in_panel("briefing-writer")
            blocked = datastore.write_problem(data_access.active_folder())
            if blocked:
                st.caption(blocked)
            row = st.container(horizontal=True, vertical_alignment="center")
            row.button("Save to the data folder", type="primary", on_click=_save, args=(steps,),
                       icon=":material/save:", key="briefing-save",
                       disabled=not writing or bool(blocked))
            row.button("Discard changes", on_click=_discard, key="briefing-discard")
            row.checkbox("Mark all steps as checked against the current data", value=False,
                         key=ALL_CHECKED,
                         help="Off: only the steps added or edited here record the current "
                         "data version; the others keep the one they were saved against, and "
                         "still say what changed since. On: every step records the current "
                         "version, as if each had been checked against the data now.")
        if steps:
            with st.popover("Save as a new briefing", icon=":material/add_notes:",
                            disabled=not writers.can_write()):
                st.text_input("Name of the new briefing", key="new-briefing-name",
                              placeholder="e.g. Basra 2008 for the committee")
                st.button("Save as a new briefing", on_click=_save_as_new, args=(steps,),
                          key="briefing-save-new", type="primary")
            refused = st.session_state.pop("new-briefing-refused", None)
            if refused:
                st.error(refused, icon=":material/block:")
            st.caption("Unsaved changes: they live in this browser session until saved.")
