/* global document */
/**
 * Rough look-alikes of a LINE chat bubble and a Slack message, drawn from the exact JSON the
 * server will send (POST /api/admin/messages/preview). Text only, always via textContent.
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
      // What a notification or an old LINE client shows instead of the card.
      bubble.append(el('p', 'alt', `altText: ${String(message.altText).split('\n')[0]}…`));
    }
    container.append(bubble);
  }
}

export function renderSlack(container, message) {
  container.replaceChildren();
  const post = el('div', 'post');
  post.append(el('p', 'author', '面談ナビ'));
  const blocks = Array.isArray(message.blocks) ? message.blocks : [];
  if (blocks.length === 0) post.append(el('p', 'body', message.text));
  for (const block of blocks) {
    if (block.type === 'header') post.append(el('p', 'title', block.text?.text ?? ''));
    else if (block.type === 'section') {
      if (block.text) post.append(el('p', 'body', block.text.text));
      for (const field of block.fields ?? []) post.append(el('p', 'body', field.text));
    } else if (block.type === 'context') {
      for (const part of block.elements ?? []) if (part.text) post.append(el('p', 'muted', part.text));
    } else if (block.type === 'divider') post.append(el('hr'));
  }
  container.append(post);
}

export function renderEmpty(container, text) {
  container.replaceChildren(el('p', 'muted', text));
}
