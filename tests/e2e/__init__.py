"""Browser tests: a real `streamlit run` server driven by Playwright in Debian's Chromium."""
