// The demo world's fixed content: shop catalog, customers' phrasings in several languages, KB articles, XSS probes, long answers.
import type { Random } from "./prng.ts";

export const SYSTEM_PROMPT =
  "You are Nova, the customer-support agent for Acme Outdoor. Be concise and friendly. Use the tools search_orders, get_order, refund, escalate and lookup_kb when needed. Never refund more than 500 EUR without escalating to a human. Cite help-center articles as [kb-<id>].";

export const REFUND_LIMIT_EUR = 500;

export const TOOL_DEFINITIONS = [
  tool("search_orders", "Find a customer's orders by order id or e-mail.", { order_id: "string", email: "string" }),
  tool("get_order", "Fetch one order with its items and shipping status.", { order_id: "string" }, ["order_id"]),
  tool("refund", "Issue a refund for an order.", { order_id: "string", amount_eur: "number", reason: "string" }, ["order_id", "amount_eur"]),
  tool("escalate", "Hand the case to a human agent.", { order_id: "string", reason: "string", priority: "string" }, ["reason"]),
  tool("lookup_kb", "Search the help-center knowledge base.", { query: "string", top_k: "integer" }, ["query"]),
];

function tool(name: string, description: string, properties: Record<string, string>, required: string[] = []) {
  return {
    type: "function",
    function: {
      name,
      description,
      parameters: {
        type: "object",
        properties: Object.fromEntries(Object.entries(properties).map(([key, type]) => [key, { type }])),
        ...(required.length > 0 ? { required } : {}),
      },
    },
  };
}

export const PRODUCTS = [
  { sku: "SKU-10421", name: "Canyon 2-person tent", price: 389 },
  { sku: "SKU-22017", name: "Summit down jacket", price: 249 },
  { sku: "SKU-31552", name: "Aurora headlamp", price: 44 },
  { sku: "SKU-40988", name: "Ridge trekking poles", price: 79 },
  { sku: "SKU-51230", name: "Glacier expedition tent", price: 1290 },
  { sku: "SKU-62871", name: "Alpine touring skis", price: 689 },
  { sku: "SKU-70014", name: "Trail running shoes", price: 139 },
  { sku: "SKU-83345", name: "Basecamp stove kit", price: 119 },
] as const;

export type Product = (typeof PRODUCTS)[number];

export const FIRST_NAMES = ["Jonas", "Priya", "Kwame", "Lena", "Mateo", "Yuki", "Amira", "Oliver", "Sofia", "Chen", "Fatima", "Lars"];

export interface Locale {
  code: string;
  orderStatus: (orderId: string) => string;
  refund: (orderId: string, product: string) => string;
  question: (topic: string) => string;
}

// Unicode on purpose: CJK, RTL Arabic, German/Spanish diacritics and emoji (incl. ZWJ sequences and flags).
export const LOCALES: readonly Locale[] = [
  {
    code: "en-GB",
    orderStatus: (id) => `Where is my order ${id}? It's been a week.`,
    refund: (id, product) => `Hi, I'd like a refund for order ${id}. The ${product} arrived damaged.`,
    question: (topic) => `Quick question: ${topic}`,
  },
  {
    code: "de-DE",
    orderStatus: (id) => `Wo bleibt meine Bestellung ${id}? Ich warte schon seit Tagen 😤`,
    refund: (id, product) => `Ich möchte eine Rückerstattung für ${id} — ${product} ist beschädigt angekommen. Grüße aus München 🇩🇪`,
    question: (topic) => `Kurze Frage (bitte auf Englisch antworten): ${topic}`,
  },
  {
    code: "ja-JP",
    orderStatus: (id) => `注文番号 ${id} はいつ届きますか？🙏`,
    refund: (id, product) => `注文 ${id} の返金をお願いします。${product} が破損していました 😢 家族 👨‍👩‍👧‍👦 で使う予定でした。`,
    question: (topic) => `質問です：${topic} 🇯🇵`,
  },
  {
    code: "ar-EG",
    orderStatus: (id) => `أين طلبي ${id}؟ لقد مر أسبوع`,
    refund: (id, product) => `أريد استرداد المبلغ للطلب ${id}، وصل ${product} تالفاً`,
    question: (topic) => `سؤال سريع: ${topic}`,
  },
  {
    code: "es-ES",
    orderStatus: (id) => `¿Dónde está mi pedido ${id}? Ya pasó una semana 📦`,
    refund: (id, product) => `Quiero un reembolso del pedido ${id}: el ${product} llegó dañado.`,
    question: (topic) => `Pregunta rápida: ${topic}`,
  },
];

export const KB_ARTICLES = [
  { id: "kb-101", title: "Refund timelines", snippet: "Refunds reach your card within 5-10 business days after approval.", topic: "How long do refunds take to show up on my card?" },
  { id: "kb-214", title: "Exchange policy", snippet: "Exchanges for a different size are free within 30 days.", topic: "Can I exchange my jacket for a bigger size?" },
  { id: "kb-233", title: "Shipping delays", snippet: "Parcels to islands and remote areas can take 3 extra days.", topic: "Why is shipping to Mallorca slower?" },
  { id: "kb-305", title: "Warranty claims", snippet: "Tents and stoves carry a 2-year warranty against manufacturing defects.", topic: "Is my stove still under warranty?" },
  { id: "kb-412", title: "Tent care", snippet: "Dry your tent fully before storage to avoid mildew; never machine-wash it.", topic: "How do I clean my tent?" },
] as const;

export type KbArticle = (typeof KB_ARTICLES)[number];

// Probes a renderer must escape; they appear in user input, tool output (HTML) and sometimes in the agent's answer.
export const XSS_PAYLOADS = [
  `<script>alert("xss")</script>`,
  `<img src=x onerror=alert(document.cookie)>`,
  `<a href="javascript:alert(1)">track parcel</a>`,
  `<svg onload=alert(1)>`,
  `<iframe srcdoc="<script>alert(2)</script>"></iframe>`,
];

const LONG_ANSWER_SECTIONS = [
  "Before your trip, pitch the tent once at home so you know every pole and clip. Check the seams and re-seal them if the coating looks cracked.",
  "Pack the fly and inner separately when wet; condensation on the fly will otherwise soak the inner. Air both as soon as you reach a dry spot.",
  "Stakes hold best at 45 degrees pointing away from the tent. In sand or snow, bury them sideways as deadman anchors.",
  "Ventilation matters more than warmth: keep at least one vent open overnight to avoid condensation dripping onto your sleeping bag.",
  "For storage, keep the tent loosely in a large cotton sack in a dry room; compression over months weakens the coating.",
  "Small tears in the mesh can be patched with the repair kit; for pole breaks use the splint sleeve and contact us for a free replacement section.",
];

/** A 20–40 KB care guide with KB citations, the kind of answer a verbose agent produces. */
export function longCareGuide(random: Random, article: KbArticle): string {
  const target = random.int(20_000, 40_000);
  const parts = [`# Complete care guide for your tent\n\nSource: ${article.title} [${article.id}]\n`];
  let length = parts[0]?.length ?? 0;
  for (let section = 1; length < target; section += 1) {
    const text = `\n## ${section}. ${random.pick(["Setup", "Weather", "Storage", "Repairs", "Cleaning"])}\n\n${random.pick(LONG_ANSWER_SECTIONS)} ${random.pick(LONG_ANSWER_SECTIONS)} (see [${article.id}])\n`;
    parts.push(text);
    length += text.length;
  }
  return parts.join("");
}
