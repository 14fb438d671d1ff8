import { Alert, Button, Center, Container, Loader } from '@mantine/core';
import { useAuth } from 'react-oidc-context';
import { Link, Navigate } from 'react-router';
import { returnPathFrom } from '../../lib/auth.ts';

/** Where the identity provider sends the browser back; AuthProvider finishes the sign-in. */
export function SignInCallback() {
  const auth = useAuth();
  if (auth.isAuthenticated) return <Navigate to={returnPathFrom(auth.user?.state)} replace />;
  if (auth.error) {
    return (
      <Container size="sm" py="xl">
        <Alert color="red" role="alert" title="Sign-in did not complete">
          {auth.error.message}
          <div>
            <Button component={Link} to="/" variant="light" mt="md">
              Back to the start
            </Button>
          </div>
        </Alert>
      </Container>
    );
  }
  return (
    <Center h="100dvh">
      <Loader aria-label="Signing you in" />
    </Center>
  );
}
