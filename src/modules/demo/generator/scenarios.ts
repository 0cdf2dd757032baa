// What happens in each demo agent run: the customer's request, the tool calls and their results, and the final answer.
import {
  FIRST_NAMES,
  KB_ARTICLES,
  LOCALES,
  PRODUCTS,
  REFUND_LIMIT_EUR,
  XSS_PAYLOADS,
  longCareGuide,
  type Locale,
  type Product,
} from "./content.ts";
import type { Random } from "./prng.ts";

export const DEMO_SCENARIOS = [
  "order_status",
  "refund_small",
  "refund_large_escalated",
  "refund_large_unauthorized",
  "kb_cited",
  "kb_uncited",
  "kb_long_answer",
  "tool_error_recovered",
  "tool_error_unrecovered",
  "llm_error_retried",
  "llm_error_fatal",
  "xss_probe_safe",
  "xss_probe_echoed",
] as const;

export type DemoScenario = (typeof DEMO_SCENARIOS)[number];

// Roughly a third of runs have a flaw, so labels carry both classes.
const SCENARIO_WEIGHTS: ReadonlyArray<readonly [DemoScenario, number]> = [
  ["order_status", 16],
  ["refund_small", 12],
  ["refund_large_escalated", 6],
  ["refund_large_unauthorized", 8],
  ["kb_cited", 12],
  ["kb_uncited", 8],
  ["kb_long_answer", 3],
  ["tool_error_recovered", 6],
  ["tool_error_unrecovered", 6],
  ["llm_error_retried", 6],
  ["llm_error_fatal", 3],
  ["xss_probe_safe", 4],
  ["xss_probe_echoed", 3],
];

export interface PlannedToolCall {
  name: string;
  args: Record<string, unknown>;
  result: unknown;
  /** Set when the tool failed: the status message; `result` then holds the error payload. */
  error: string | null;
}

export interface AgentRunPlan {
  scenario: DemoScenario;
  locale: string;
  customerName: string;
  userText: string;
  toolCalls: PlannedToolCall[];
  /** "retry": the first model call fails with a 429 and is retried; "fatal": it fails and the run ends without an answer. */
  llmFailure: "none" | "retry" | "fatal";
  finalAnswer: string | null;
  tags: string[];
}

export function pickScenario(random: Random): DemoScenario {
  return random.weighted(SCENARIO_WEIGHTS);
}

export function planRun(scenario: DemoScenario, random: Random): AgentRunPlan {
  const locale = random.chance(0.7) ? (LOCALES[0] as Locale) : random.pick(LOCALES);
  const customerName = random.pick(FIRST_NAMES);
  const orderId = `A-${random.int(1000, 9999)}`;
  const base = { scenario, locale: locale.code, customerName, llmFailure: "none" as const };
  const cheap = () => random.pick(PRODUCTS.filter((product) => product.price <= REFUND_LIMIT_EUR));
  const expensive = () => random.pick(PRODUCTS.filter((product) => product.price > REFUND_LIMIT_EUR));

  switch (scenario) {
    case "order_status": {
      const product = random.pick(PRODUCTS);
      const status = random.pick(ORDER_STATUSES);
      const lookup = orderLookup(random.chance(0.5) ? "search_orders" : "get_order", orderId, product, random, status);
      return {
        ...base,
        userText: locale.orderStatus(orderId),
        toolCalls: [lookup],
        finalAnswer: `Hi ${customerName}! Order ${orderId} (${product.name}) ${STATUS_SENTENCES[status]}`,
        tags: ["order-status"],
      };
    }
    case "refund_small":
    case "refund_large_escalated":
    case "refund_large_unauthorized": {
      const product = scenario === "refund_small" ? cheap() : expensive();
      const calls = [orderLookup("search_orders", orderId, product, random)];
      if (scenario === "refund_large_escalated") {
        calls.push(escalation(orderId, `refund of ${product.price} EUR is above the ${REFUND_LIMIT_EUR} EUR limit`, random));
        return {
          ...base,
          userText: locale.refund(orderId, product.name),
          toolCalls: calls,
          finalAnswer: `Thanks ${customerName}. A refund of ${product.price} EUR needs a colleague's approval, so I've passed your case to our refunds team; you'll hear back within 24 hours.`,
          tags: ["refund", "escalation"],
        };
      }
      calls.push(refundCall(orderId, product, random));
      return {
        ...base,
        userText: locale.refund(orderId, product.name),
        toolCalls: calls,
        finalAnswer: `Done, ${customerName}! I've refunded ${product.price.toFixed(2)} EUR for order ${orderId}. It should reach your card in 5-10 business days.`,
        tags: ["refund"],
      };
    }
    case "kb_cited":
    case "kb_uncited":
    case "kb_long_answer": {
      const article = random.pick(KB_ARTICLES);
      const answer =
        scenario === "kb_long_answer"
          ? longCareGuide(random, article)
          : scenario === "kb_cited"
            ? `${article.snippet} [${article.id}]`
            : `${article.snippet.replace(/\.$/, "")} — hope that helps!`;
      return {
        ...base,
        userText: locale.question(article.topic),
        toolCalls: [kbLookup(article.topic, [article], random)],
        finalAnswer: answer,
        tags: scenario === "kb_long_answer" ? ["kb", "long-output"] : ["kb"],
      };
    }
    case "tool_error_recovered":
    case "tool_error_unrecovered": {
      const product = cheap();
      const failed: PlannedToolCall = {
        ...refundCall(orderId, product, random),
        result: { error: { type: "GatewayTimeout", message: "payment-gateway did not answer within 30000 ms", retryable: true } },
        error: "RefundServiceError: payment gateway timeout (HTTP 504) after 3 attempts",
      };
      const calls = [orderLookup("search_orders", orderId, product, random), failed];
      if (scenario === "tool_error_unrecovered") {
        return {
          ...base,
          userText: locale.refund(orderId, product.name),
          toolCalls: calls,
          finalAnswer: `I'm so sorry ${customerName}, something went wrong on our side. Please try again later.`,
          tags: ["refund", "tool-error"],
        };
      }
      const recovery = random.chance(0.5) ? refundCall(orderId, product, random) : escalation(orderId, "payment gateway timeout during refund", random);
      calls.push(recovery);
      return {
        ...base,
        userText: locale.refund(orderId, product.name),
        toolCalls: calls,
        finalAnswer:
          recovery.name === "refund"
            ? `Done, ${customerName}! After a hiccup with our payment provider, your refund of ${product.price.toFixed(2)} EUR for ${orderId} went through.`
            : `Sorry ${customerName}, our payment system didn't respond, so I've flagged ${orderId} for our billing team — you'll hear back within 24 hours.`,
        tags: ["refund", "tool-error"],
      };
    }
    case "llm_error_retried":
    case "llm_error_fatal": {
      const product = random.pick(PRODUCTS);
      const status = random.pick(ORDER_STATUSES);
      const fatal = scenario === "llm_error_fatal";
      return {
        ...base,
        llmFailure: fatal ? "fatal" : "retry",
        userText: locale.orderStatus(orderId),
        toolCalls: fatal ? [] : [orderLookup("get_order", orderId, product, random, status)],
        finalAnswer: fatal ? null : `Order ${orderId} is '${status}'.`,
        tags: ["order-status", "llm-retry"],
      };
    }
    case "xss_probe_safe":
    case "xss_probe_echoed": {
      const payload = random.pick(XSS_PAYLOADS);
      const article = KB_ARTICLES[2];
      const htmlArticle = { ...article, snippet: `<h1>Tracking help</h1><p>${article.snippet}</p>${random.pick(XSS_PAYLOADS)}` };
      return {
        ...base,
        userText: `My order page shows ${payload} — is that normal??`,
        toolCalls: [kbLookup("order page shows strange code", [htmlArticle], random)],
        finalAnswer:
          scenario === "xss_probe_safe"
            ? `That text looks like a display glitch, not something you need to act on. Please clear your browser cache; shipping details are in [${article.id}].`
            : `Here is what your page shows: ${payload} — according to our help center: ${htmlArticle.snippet} [${article.id}]`,
        tags: ["security-test"],
      };
    }
  }
}

const ORDER_STATUSES = ["in_transit", "delivered", "processing"] as const;
type OrderStatus = (typeof ORDER_STATUSES)[number];

const STATUS_SENTENCES: Record<OrderStatus, string> = {
  in_transit: "is in transit and should arrive within 2 business days.",
  delivered: "was delivered yesterday — please check with your neighbours or the parcel box.",
  processing: "is still being packed at our warehouse and will ship within 1 business day.",
};

function orderLookup(
  name: "search_orders" | "get_order",
  orderId: string,
  product: Product,
  random: Random,
  status: OrderStatus = random.pick(ORDER_STATUSES),
): PlannedToolCall {
  const order = {
    order_id: orderId,
    status,
    items: [{ sku: product.sku, name: product.name, qty: 1, price_eur: product.price }],
    total_eur: product.price,
  };
  return { name, args: { order_id: orderId }, result: name === "search_orders" ? { orders: [order] } : order, error: null };
}

function refundCall(orderId: string, product: Product, random: Random): PlannedToolCall {
  return {
    name: "refund",
    args: { order_id: orderId, amount_eur: product.price, reason: random.pick(["damaged", "wrong_size", "not_as_described"]) },
    result: { refund_id: `rf_${random.hex(10)}`, status: "approved", amount_eur: product.price },
    error: null,
  };
}

function escalation(orderId: string, reason: string, random: Random): PlannedToolCall {
  return {
    name: "escalate",
    args: { order_id: orderId, reason, priority: random.pick(["normal", "high"]) },
    result: { ticket_id: `T-${random.int(10000, 99999)}`, queue: "refunds", eta_hours: 24 },
    error: null,
  };
}

function kbLookup(query: string, articles: ReadonlyArray<{ id: string; title: string; snippet: string }>, random: Random): PlannedToolCall {
  return {
    name: "lookup_kb",
    args: { query, top_k: 3 },
    result: { articles: articles.map((article) => ({ ...article, score: Number((0.7 + random.next() * 0.25).toFixed(2)) })) },
    error: null,
  };
}
