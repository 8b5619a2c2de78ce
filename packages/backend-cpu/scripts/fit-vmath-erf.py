import numpy as np, math
f32=np.float32
def fit(var, target, deg, weight):
    # weighted least squares on a dense grid, power basis in var
    A=np.vander(var, deg+1)  # highest first
    w=weight
    c,*_=np.linalg.lstsq(A*w[:,None], target*w, rcond=None)
    c32=c.astype(np.float32).astype(np.float64)
    err=np.max(np.abs(np.polyval(c32,var)-target)*w)
    return c32, err
# large branch
T=0.75
x=np.linspace(T,4,40001)
t=1/(1+x); tc=(1/(1+T)+1/5)/2
g=np.array([math.erfc(v)*math.exp(v*v) for v in x])
for deg in [8,9]:
    c,e=fit(t-tc,g,deg,1/g); print('large',deg,e, 'tc',repr(float(f32(tc))), [repr(float(v)) for v in c])
z=np.linspace(0,T*T,20001); xs=np.sqrt(z); h=np.array([math.erf(v)/v if v>0 else 2/math.sqrt(math.pi) for v in xs])
for deg in [5,6,7]:
    c,e=fit(z,h,deg,1/h); print('small',deg,e,[repr(float(v)) for v in c])
