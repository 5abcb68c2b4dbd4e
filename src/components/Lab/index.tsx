export default function Lab({ id }: { id: string }) {
  return <p>Lab: {id}</p>;
}
