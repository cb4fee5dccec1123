/* global document, CustomEvent */
/**
 * The page's views (broadcasts, insights, ...): one button per view in #views, naming the
 * id of the element it shows. One view at a time; `admin:view` tells a view it was opened.
 */
const buttons = () => [...document.querySelectorAll('#views [data-view]')];

export function showView(name) {
  for (const button of buttons()) {
    const selected = button.dataset.view === name;
    button.setAttribute('aria-selected', String(selected));
    document.getElementById(button.dataset.view).hidden = !selected;
  }
  document.dispatchEvent(new CustomEvent('admin:view', { detail: name }));
}

/** Signed in: the views and the first one; signed out: none of them. */
export function showViews(signedIn) {
  document.getElementById('views').hidden = !signedIn;
  if (signedIn) showView(buttons()[0].dataset.view);
  else for (const button of buttons()) document.getElementById(button.dataset.view).hidden = true;
}

for (const button of buttons()) button.addEventListener('click', () => showView(button.dataset.view));
