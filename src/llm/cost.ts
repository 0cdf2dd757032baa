// Cost accounting: USD per million input/output tokens by model family, and the cost of one call.

export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
  /** False when the model is unknown and a typical price was assumed. */
  known: boolean;
}

/** Most specific first: the first family whose name the model id contains sets the price. */
const PRICES: { family: string; inputPerMTok: number; outputPerMTok: number }[] = [
  { family: "opus-4-5", inputPerMTok: 5, outputPerMTok: 25 },
  { family: "opus-4-6", inputPerMTok: 5, outputPerMTok: 25 },
  { family: "opus-4-7", inputPerMTok: 5, outputPerMTok: 25 },
  { family: "opus-4-8", inputPerMTok: 5, outputPerMTok: 25 },
  { family: "opus", inputPerMTok: 15, outputPerMTok: 75 },
  { family: "sonnet", inputPerMTok: 3, outputPerMTok: 15 },
  { family: "haiku-4", inputPerMTok: 1, outputPerMTok: 5 },
  { family: "3-5-haiku", inputPerMTok: 0.8, outputPerMTok: 4 },
  { family: "haiku", inputPerMTok: 0.25, outputPerMTok: 1.25 },
];

const FALLBACK = { inputPerMTok: 3, outputPerMTok: 15 };

export function modelPrice(model: string): ModelPrice {
  const hit = PRICES.find((p) => model.includes(p.family));
  return hit ? { inputPerMTok: hit.inputPerMTok, outputPerMTok: hit.outputPerMTok, known: true } : { ...FALLBACK, known: false };
}

export function callCostUsd(model: string, tokensIn: number, tokensOut: number): number {
  const price = modelPrice(model);
  return (tokensIn * price.inputPerMTok + tokensOut * price.outputPerMTok) / 1_000_000;
}
