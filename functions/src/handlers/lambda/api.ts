// Lambda entry for the api function. Filled in by the walking skeleton.
export const handler = async (): Promise<unknown> => ({ statusCode: 501 });
