import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="state state--empty">
      <p className="state__title">No such page</p>
      <p>
        Go to the <Link href="/">matrix</Link> or the <Link href="/timeline/">timeline</Link>.
      </p>
    </div>
  );
}
