"""ProxyLens building blocks. Modules directly here are the core (no Streamlit import);
components.ui holds the pieces that draw."""
