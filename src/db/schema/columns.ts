// Column helpers shared by every table: sortable text ids and UTC timestamps.
import { text, timestamp } from "drizzle-orm/pg-core";

/** Primary key holding a UUIDv7: time-ordered, so ids sort like creation time. */
export const idColumn = () => text("id").primaryKey().$defaultFn(() => Bun.randomUUIDv7());

export const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
export const updatedAt = () => timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
export const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
