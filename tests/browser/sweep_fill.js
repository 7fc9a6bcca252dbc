// Fill one post form for `mode` (valid, empty, bad): see tests/browser/sweep.py. Marks the form and its first
// submit button (data-sweep, data-sweep-button); returns how many inputs changed, or -1 without a button.
(form, {mode, known, pdf}) => {
  const skip = ['hidden', 'submit', 'button', 'reset', 'image'];
  const inputs = [...form.elements].filter(e => e.name && !skip.includes(e.type) && !e.disabled);
  const file = (name, text, type) => { const t = new DataTransfer(); t.items.add(new File([text], name, {type}));
                                        return t.files; };
  const day = offset => { const d = new Date(Date.now() + offset * 86400000); return d.toISOString().slice(0, 10); };
  const fits = (e, v) => !e.pattern || new RegExp('^(?:' + e.pattern + ')$', 'v').test(v);
  const text = e => {
    const candidates = ['Set by the form sweep', '7d', '1', 'DE', 'abc', 'A1'];
    let v = candidates.find(c => fits(e, c)) || 'Set by the form sweep';
    if (e.minLength > v.length) { v = v.padEnd(e.minLength, 'x'); }
    if (e.maxLength > 0 && v.length > e.maxLength) { v = v.slice(0, e.maxLength); }
    return v;
  };
  const valid = e => {
    if (e.name in known) { return known[e.name]; }
    if (e.type === 'password') { return e.autocomplete === 'new-password' ? known['@new-password'] : known['@password']; }
    if (e.type === 'email') { return e.autocomplete === 'username' ? known['@email'] : `sweep${Date.now()}@example.org`; }
    if (e.type === 'url') { return 'https://example.org/sweep'; }
    if (e.type === 'number' || e.type === 'range') {
      return String(e.min !== '' ? e.min : (e.max !== '' && Number(e.max) < 1 ? e.max : 1)); }
    if (e.type === 'date' || e.type === 'datetime-local') {
      let v = day(30); if (e.min && v < e.min.slice(0, 10)) { v = e.min.slice(0, 10); }
      if (e.max && v > e.max.slice(0, 10)) { v = e.max.slice(0, 10); }
      return e.type === 'date' ? v : v + 'T10:00'; }
    if (e.type === 'time') { return '10:00'; }
    if (e.type === 'tel') { return '+49 40 1234567'; }
    if (e.tagName === 'TEXTAREA') { return 'Written by the form sweep.'; }
    if (e.inputMode === 'numeric') { return '1'; }
    return text(e);
  };
  let changed = 0;
  const groups = new Set();
  for (const e of inputs) {
    const choice = e.type === 'checkbox' || e.type === 'radio';
    if (mode === 'valid') {
      if (choice) {
        if (groups.has(e.name)) { continue; } groups.add(e.name);
        // A required box is ticked; a list of choices (a radio group, boxes of one name or in a fieldset) gets its
        // first choice when none is made; a lone option ("sign me out everywhere") is left as the page has it.
        const group = inputs.filter(x => x.name === e.name);
        group.filter(x => x.required && !x.checked).forEach(x => { x.checked = true; changed++; });
        const flag = ['on', 'true', 'yes'].includes(e.value);  // a yes/no option, not an item of a list
        const list = e.type === 'radio' || group.length > 1 || (e.closest('fieldset') && !flag);
        const first = group.find(x => x.value !== '');
        if (list && first && !group.some(x => x.checked && x.value !== '')) { first.checked = true; changed++; }
      } else if (e.type === 'file') {
        if (e.required) { e.files = file('sweep.pdf', pdf, 'application/pdf'); changed++; }
      } else if (e.tagName === 'SELECT') {
        const offered = [...e.options].filter(o => o.value !== '' && !o.disabled);
        if (!e.value && offered.length) { e.value = offered[0].value; changed++; }
      } else if (e.name in known || e.type === 'password' || (e.required && !e.value)) {
        // What the form requires, as a person fills it; optional inputs are left as the page has them.
        e.value = valid(e); changed++;
      }
    } else if (mode === 'empty') {
      if (!e.required) { continue; }
      if (choice) { e.checked = false; }
      else if (e.tagName === 'SELECT') { e.add(new Option('', '')); e.value = ''; }
      else { e.value = ''; }
      changed++;
    } else {
      if (choice) { continue; }
      if (e.type === 'file') { e.files = file('notes.pdf', 'This is not a PDF.', 'application/pdf'); }
      else if (e.tagName === 'SELECT') { e.add(new Option('no such choice', 'no-such-choice')); e.value = 'no-such-choice'; }
      else if (e.tagName === 'TEXTAREA') { e.value = 'x'.repeat(e.maxLength > 0 ? e.maxLength + 1 : 60000); }
      else if (e.type === 'number' || e.type === 'range') {
        e.type = 'text'; e.value = e.max !== '' ? String(Number(e.max) + 1) : (e.min !== '' ? String(Number(e.min) - 1) : '-1'); }
      else if (['date', 'datetime-local', 'time', 'month'].includes(e.type)) { e.type = 'text'; e.value = '2027-02-30'; }
      else if (e.type === 'email') { e.value = 'not an address'; }
      else if (e.type === 'password') { e.value = 'x'; }
      else { e.value = 'Sweep \u202E enil'; }
      changed++;
    }
  }
  for (let d = form.closest('details'); d; d = d.parentElement.closest('details')) { d.open = true; }
  form.noValidate = true;
  form.setAttribute('data-sweep', mode);
  const button = [...form.elements].find(e => e.type === 'submit');
  if (button) { button.setAttribute('data-sweep-button', mode); }
  return button ? changed : -1;
}
