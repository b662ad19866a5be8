export default function Home() {
  return <main>Pulse</main>;
}
