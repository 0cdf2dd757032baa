// Derives a v2 observation row (GET /api/public/v2/observations) from a v1 observation and its trace, as Langfuse v4 serves it.
type JsonRecord = Record<string, unknown>;

// v2 returns input/output as the stored text: strings as they are, everything else as compact JSON.
function asRawText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

function priceText(value: unknown): string | null {
  return typeof value === "number" ? value.toFixed(12).replace(/0+$/, "").replace(/\.$/, "") : null;
}

export function toV2Row(observation: JsonRecord, trace: JsonRecord): JsonRecord {
  const usageDetails = (observation.usageDetails as JsonRecord | undefined) ?? {};
  const costDetails = (observation.costDetails as JsonRecord | undefined) ?? {};
  const hasCost = Object.keys(costDetails).length > 0;
  return {
    id: observation.id,
    traceId: observation.traceId ?? trace.id,
    startTime: observation.startTime,
    endTime: observation.endTime ?? null,
    projectId: observation.projectId ?? trace.projectId ?? null,
    parentObservationId: observation.parentObservationId ?? null,
    type: observation.type,
    isRootObservation: (observation.parentObservationId ?? null) === null,
    name: observation.name ?? null,
    level: observation.level ?? "DEFAULT",
    statusMessage: observation.statusMessage ?? null,
    version: observation.version ?? null,
    environment: observation.environment ?? trace.environment ?? "default",
    bookmarked: false,
    public: false,
    userId: trace.userId ?? null,
    sessionId: trace.sessionId ?? null,
    completionStartTime: observation.completionStartTime ?? null,
    createdAt: observation.createdAt ?? observation.startTime,
    updatedAt: observation.updatedAt ?? observation.startTime,
    input: asRawText(observation.input),
    output: asRawText(observation.output),
    metadata: observation.metadata ?? {},
    providedModelName: observation.model ?? null,
    internalModelId: observation.modelId ?? null,
    modelParameters: observation.modelParameters ?? null,
    usageDetails,
    costDetails,
    totalCost: hasCost ? (costDetails.total ?? null) : null,
    usagePricingTierName: observation.usagePricingTierName ?? null,
    promptId: observation.promptId ?? null,
    promptName: observation.promptName ?? null,
    promptVersion: observation.promptVersion ?? null,
    latency: observation.latency ?? null,
    timeToFirstToken: observation.timeToFirstToken ?? null,
    traceName: trace.name ?? null,
    tags: trace.tags ?? [],
    release: trace.release ?? null,
    modelId: observation.modelId ?? null,
    inputPrice: priceText(observation.inputPrice),
    outputPrice: priceText(observation.outputPrice),
    totalPrice: priceText(observation.totalPrice),
  };
}
