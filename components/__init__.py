"""ProxyLens building blocks. Modules directly here are the core (no Streamlit import);
components.ui holds the pieces that draw."""

# ProxyLens's own version, stated in every evidence pack's manifest (README, "Evidence pack")
__version__ = "0.15.0"
