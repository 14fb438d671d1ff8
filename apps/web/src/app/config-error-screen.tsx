import { Alert, Code, Container, MantineProvider, Text } from '@mantine/core';
import { theme } from './theme.ts';

/** Shown when /config.json is missing or wrong: the operator's problem, said plainly. */
export function ConfigErrorScreen({ error }: { error: unknown }) {
  return (
    <MantineProvider theme={theme}>
      <Container size="sm" py="xl">
        <Alert color="red" title="Cliprelay could not start" role="alert">
          <Text size="sm">
            The app&apos;s configuration file could not be read. If you run this site, check it:
          </Text>
          <Code block mt="sm">
            {error instanceof Error ? error.message : String(error)}
          </Code>
        </Alert>
      </Container>
    </MantineProvider>
  );
}
