/* global document */
/**
 * Rough look-alikes of a LINE chat bubble and a Slack message as the user sees them, drawn
 * from the exact JSON the server will send (POST /api/admin/messages/preview). Text only,
 * always via textContent.
 */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The texts of a Flex component tree, in reading order; the first bold one is the title. */
function flexTexts(node, out = []) {
  if (!node || typeof node !== 'object') return out;
  if (node.type === 'text' && typeof node.text === 'string') out.push({ text: node.text, bold: node.weight === 'bold' });
  for (const key of ['header', 'hero', 'body', 'footer']) flexTexts(node[key], out);
  if (Array.isArray(node.contents)) for (const child of node.contents) flexTexts(child, out);
  return out;
}

export function renderLine(container, messages) {
  container.replaceChildren();
  for (const message of messages) {
    const bubble = el('div', 'bubble');
    if (message.type === 'text') bubble.append(el('p', 'body', message.text));
    else if (message.type === 'flex') {
      const [first, ...rest] = flexTexts(message.contents);
      if (first) bubble.append(el('p', first.bold ? 'title' : 'body', first.text));
      for (const part of rest) bubble.append(el('p', part.bold ? 'strong' : 'body', part.text));
    }
    container.append(bubble);
  }
}

/**
 * Slack mrkdwn as Slack shows it: links as their label, `*bold*` and `_italic_` styled, and
 * the three escaped characters (&amp; &lt; &gt;) as themselves.
 */
function mrkdwn(className, text) {
  const p = el('p', className);
  const plain = String(text).replace(/<([^<>|]+)\|([^<>]+)>/g, '$2').replace(/<([^<>]+)>/g, '$1');
  for (const piece of plain.split(/(\*[^*\n]+\*|_[^_\n]+_)/)) {
    if (!piece) continue;
    const styled = /^\*.+\*$/.test(piece) ? 'strong' : /^_.+_$/.test(piece) ? 'em' : undefined;
    const unescaped = (styled ? piece.slice(1, -1) : piece).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    p.append(styled ? el(styled, undefined, unescaped) : document.createTextNode(unescaped));
  }
  return p;
}

/** A Block Kit text object: mrkdwn rendered, plain_text as is. */
function blockText(className, text) {
  return text?.type === 'mrkdwn' ? mrkdwn(className, text.text) : el('p', className, text?.text ?? '');
}

export function renderSlack(container, message) {
  container.replaceChildren();
  const post = el('div', 'post');
  post.append(el('p', 'author', '面談ナビ'));
  const blocks = Array.isArray(message.blocks) ? message.blocks : [];
  if (blocks.length === 0) post.append(mrkdwn('body', message.text));
  for (const block of blocks) {
    if (block.type === 'header') post.append(blockText('title', block.text));
    else if (block.type === 'section') {
      if (block.text) post.append(blockText('body', block.text));
      for (const field of block.fields ?? []) post.append(blockText('body', field));
    } else if (block.type === 'context') {
      for (const part of block.elements ?? []) if (part.text) post.append(blockText('muted', part));
    } else if (block.type === 'divider') post.append(el('hr'));
  }
  container.append(post);
}

export function renderEmpty(container, text) {
  container.replaceChildren(el('p', 'muted', text));
}
