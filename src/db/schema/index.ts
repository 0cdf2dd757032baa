// The whole drizzle schema, one file per domain.
export * from "./identity";
export * from "./integrations";
export * from "./traces";
export * from "./evals";
export * from "./jobs";
export * from "./review";
export * from "./generation";
export * from "./matrix";
