ALTER TABLE "traces" ALTER COLUMN "normalized" SET DATA TYPE json;--> statement-breakpoint
ALTER TABLE "traces" ALTER COLUMN "raw" SET DATA TYPE json;