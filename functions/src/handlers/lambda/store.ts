// Lambda entry for the store function. Filled in by the walking skeleton.
export const handler = async (): Promise<unknown> => ({ statusCode: 501 });
