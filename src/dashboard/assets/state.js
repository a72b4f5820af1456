// What the page keeps between views: the token, the event stream, the view on screen.

export const app = {
  token: '',
  /** The server instance the stream last greeted us from: another one means the server restarted. */
  instance: undefined,
  events: undefined,
  eventsJob: undefined,
  /** The view on screen: {name, on: {event: handler}, ...} as its page module set it. */
  view: undefined,
  /** Set by the router: what a 401 does (ask for the token). */
  unauthorized: () => {},
};
