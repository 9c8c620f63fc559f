// Loaded without defer in <head>: marks the page as scripted before it paints, so the no-JS
// fallbacks do not flash. A file, not an inline script, so the Content-Security-Policy can
// refuse every inline script.
document.documentElement.classList.add("js");
