"""The floor: the smallest Streamlit app with one widget, rerun by the same kind of click."""

import streamlit as st

choice = st.toggle("Switch", key="switch")
st.write(f"The switch is {'on' if choice else 'off'}.")
