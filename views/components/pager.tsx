// "Newer / older" keyset pagination links.
export function Pager({ nextHref, firstHref }: { nextHref: string | null; firstHref: string | null }) {
  return (
    <nav class="pager">
      {firstHref ? <a href={firstHref}>← Newest</a> : ""}
      {nextHref ? (
        <a href={nextHref} rel="next">
          Older →
        </a>
      ) : (
        <span class="muted">End of list</span>
      )}
    </nav>
  );
}
