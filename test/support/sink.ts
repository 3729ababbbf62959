// A Writable that keeps what the command line wrote, for the CLI tests.
export class Sink {
  text = "";
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}
